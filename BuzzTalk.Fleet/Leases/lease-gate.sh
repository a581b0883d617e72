# shellcheck shell=bash
# The deploy lease gate's helper (LeaseGate), run as `bash -c <this> lease-gate DIR HOLD-SECONDS`
# on the host: values arrive only as positional parameters, never as text. The lock and lease
# files are DeployLease's. One request per line on stdin: lock, unlock.
set -u
dir=$1 hold=$2
mkdir -p "$dir" || exit 1
exec 9>>"$dir/.deploy.lock" || exit 1
fence=$(mktemp "$dir/.lease-fence.XXXXXXXX") || exit 1
pids="$fence.pids"
lease="$dir/deploy.lease"
locked=0
finish() {
  # Locked at the end: a fenced process may still carry a decided action. Exclusive on
  # the fence = every fenced process (each holds it shared) has exited; end those that
  # do not exit by themselves (their input may still deliver something late).
  if [ "$locked" = 1 ]; then
    exec 8<"$fence"
    if ! flock -w 5 8; then
      fenced=()
      [ -f "$pids" ] && mapfile -t fenced <"$pids"
      kill -TERM "${fenced[@]}" 2>/dev/null
      flock -w 5 8 || { kill -KILL "${fenced[@]}" 2>/dev/null; flock -w 5 8; }
    fi
  fi
  rm -f "$fence" "$pids"
}
trap finish EXIT
trap 'exit 1' HUP INT TERM
# A reply to a caller that is gone fails; the end of input then leads to finish.
trap '' PIPE
printf 'ready %s\n' "$fence"
while :; do
  if [ "$locked" = 1 ]; then IFS= read -r -t "$hold" request || exit 1; else IFS= read -r request || exit 0; fi
  case $request in
    lock)
      [ "$locked" = 0 ] || exit 2
      if ! flock -w 10 9; then echo busy; continue; fi
      locked=1
      t='' h='' o='' e=0
      if [ -f "$lease" ]; then { read -r t; read -r h; read -r o; read -r e; } < "$lease"; fi
      printf -v now '%(%s)T' -1
      if [ -n "$t" ] && [ "$now" -lt "$e" ]; then
        flock -u 9; locked=0
        printf 'held\n%s\n%s\n%s\n%s\n' "$h" "$o" "$e" "$now"
      else
        echo free
      fi
      ;;
    unlock) flock -u 9; locked=0; echo unlocked ;;
    *) exit 2 ;;
  esac
done
