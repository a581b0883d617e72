# shellcheck shell=sh
# The deploy lease (DeployLease), run as `sh -c <this> deploy-lease REQUEST DIR ARGS...` on the
# host: values arrive only as positional parameters, never as text. Every request changes or
# reads the lease file under the lock LeaseGate takes too, and replaces it by rename, so
# acquiring has exactly one winner and readers never see half a lease.
#   acquire DIR TOKEN HOLDER OPERATION TTL   prints the expiry; exit 3 + the holder's state when held
#   renew DIR TOKEN TTL                      prints the new expiry; exit 4 when no longer ours
#   release DIR TOKEN                        exit 4 when no longer ours
#   force-release DIR                        prints what was there, then removes it (an operator's override)
#   read DIR                                 prints holder, operation, expiry, now
set -eu
request=$1 dir=$2
shift 2
mkdir -p "$dir"
exec 9>>"$dir/.deploy.lock"
flock -w 10 9
lease="$dir/deploy.lease"
now=$(date +%s)
t='' h='' o='' e=0
if [ -f "$lease" ]; then { read -r t; read -r h; read -r o; read -r e; } <"$lease"; fi
write() { printf '%s\n%s\n%s\n%s\n' "$1" "$2" "$3" "$4" >"$lease.$$"; mv -f "$lease.$$" "$lease"; }
state() { printf '%s\n%s\n%s\n%s\n' "$h" "$o" "$e" "$now"; }
case $request in
acquire)
    token=$1 holder=$2 operation=$3 ttl=$4
    if [ -n "$t" ] && [ "$now" -lt "$e" ] && [ "$t" != "$token" ]; then
        state
        exit 3
    fi
    write "$token" "$holder" "$operation" $((now + ttl))
    echo $((now + ttl))
    ;;
renew)
    token=$1 ttl=$2
    if [ "$t" != "$token" ]; then exit 4; fi
    write "$t" "$h" "$o" $((now + ttl))
    echo $((now + ttl))
    ;;
release)
    token=$1
    if [ "$t" != "$token" ]; then exit 4; fi
    rm -f "$lease"
    ;;
force-release)
    state
    rm -f "$lease"
    ;;
read) state ;;
*)
    echo "deploy-lease.sh: unknown request $request" >&2
    exit 2
    ;;
esac
