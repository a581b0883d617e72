# shellcheck shell=sh
# A fenced process (LeaseGate.StartFencedAsync), run as `sh -c <this> lease-fence FENCE PROGRAM ARGS...`:
# holds the fence shared for the life of the program it becomes ("$@": words, not text), and
# records its process id so the helper can end it.
set -e
exec 8<"$1"
flock -s -w 10 8
echo $$ >>"$1.pids"
shift
echo fenced
exec "$@"
