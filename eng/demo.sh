#!/usr/bin/env bash
# The whole loop on this machine: builds the local fleet's images, starts the AppHost with
# BuzzTalk:Fleet=local (this machine's swarm as a one-instance spot group, over SSH on loopback)
# and its `demo` resource, which deploys the published bundle with the Deployer, loads the site
# until the Scaler adds a backend replica, deploys a new backend under that load, tries a broken
# one (rolled back), waits for the scale-down, and prints a summary. Follow every step in the
# dashboard (login URL below). Options: --keep leaves the stack running after the summary (Ctrl+C
# stops it); anything else is passed to the AppHost (e.g. --BuzzTalk:LocalFleet:FrontendPort=8088).
# Exit code: 0 when the demo passed. Needs root (packages, dockerd).
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

keep=false
args=()
for arg in "$@"; do
  if [ "$arg" = "--keep" ]; then keep=true; else args+=("$arg"); fi
done

eng/install-deps.sh
eng/start-dockerd.sh
echo "demo: building the local fleet's images (cached by content)"
images=$(eng/build-images.sh --env)
image_value() { sed -n "s/^$1=//p" <<<"$images"; }
backend=$(image_value BACKEND_IMAGE)
frontend=$(image_value FRONTEND_IMAGE)
edge=$(image_value EDGE_IMAGE)
node_exporter=$(image_value NODE_EXPORTER_IMAGE)
cadvisor=$(image_value CADVISOR_IMAGE)
if [ -z "$cadvisor" ]; then
  echo "demo: no cAdvisor image could be built from Debian's packages; the stack cannot run" >&2
  exit 1
fi

state=BuzzTalk.AppHost/.buzztalk-demo
summary="$state/fleet/demo-summary.json"
rm -f "$summary" "${summary%.json}.txt"
log=$(mktemp)
dotnet build BuzzTalk.AppHost -v q -nologo >/dev/null

# The image options are repository + tag; the script printed full references.
dotnet run --project BuzzTalk.AppHost --launch-profile http --no-build -- \
  --BuzzTalk:Fleet=local --BuzzTalk:LocalFleet:Demo=run --BuzzTalk:LocalRuntime=processes \
  --BuzzTalk:StateDirectory=.buzztalk-demo \
  --BuzzTalk:Images:Backend:Image="${backend%:*}" --BuzzTalk:Images:Backend:Tag="${backend##*:}" \
  --BuzzTalk:Images:Frontend:Image="${frontend%:*}" --BuzzTalk:Images:Frontend:Tag="${frontend##*:}" \
  --BuzzTalk:Images:Edge:Image="${edge%:*}" --BuzzTalk:Images:Edge:Tag="${edge##*:}" \
  --BuzzTalk:Images:NodeExporter:Image="${node_exporter%:*}" --BuzzTalk:Images:NodeExporter:Tag="${node_exporter##*:}" \
  --BuzzTalk:Images:Cadvisor:Image="${cadvisor%:*}" --BuzzTalk:Images:Cadvisor:Tag="${cadvisor##*:}" \
  "${args[@]}" >"$log" 2>&1 &
apphost=$!
# shellcheck disable=SC2317 # called by the EXIT trap
stop() {
  if kill -0 "$apphost" 2>/dev/null; then
    # dotnet run's child is the AppHost; it stops every resource it started.
    pkill -TERM -P "$apphost" 2>/dev/null || true
    kill -TERM "$apphost" 2>/dev/null || true
    wait "$apphost" 2>/dev/null || true
  fi
  rm -f "$log"
}
trap stop EXIT
trap 'exit 130' INT TERM

for _ in $(seq 1 120); do
  grep -q 'Login URL' "$log" && break
  kill -0 "$apphost" 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 1
done
grep -m1 -o 'http://[^ ]*login?t=[0-9a-f]*' "$log" | sed 's/^/demo: dashboard login: /' || true
echo "demo: running; watch the 'demo' resource's console in the dashboard (about 6-10 minutes)"

# The demo resource writes its summary when it ends; the AppHost keeps running.
for _ in $(seq 1 1200); do
  [ -f "${summary%.json}.txt" ] && break
  kill -0 "$apphost" 2>/dev/null || { tail -50 "$log" >&2; exit 1; }
  sleep 1
done
if [ ! -f "${summary%.json}.txt" ]; then
  echo "demo: no summary after 20 minutes" >&2
  exit 1
fi

cat "${summary%.json}.txt"
status=1
grep -q '"passed": true' "$summary" && status=0
if $keep; then
  echo "demo: the stack keeps running (Ctrl+C stops the AppHost; 'docker stack rm buzztalk' removes the fleet's stack)"
  wait "$apphost" || true
fi
exit "$status"
