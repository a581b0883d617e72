#!/usr/bin/env bash
# Runs every test of the solution against real servers from Debian packages, installing them
# first when missing. Ends with one summary line: "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

eng/install-deps.sh
# The Fleet tests drive a real single-node swarm over SSH.
eng/start-dockerd.sh
# The local fleet's images for the whole-loop test (mmdebstrap from Debian's mirror; cached by content).
eng/build-images.sh >/dev/null
# The Aspire CLI (a local tool, .config/dotnet-tools.json) for the `aspire publish` test.
dotnet tool restore >/dev/null

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
# One test project at a time (-m:1): the Deployer, Fleet, Scaler and AppHost suites share one dockerd
# and swarm, and the whole-loop test's 0.06-CPU backends must not starve behind another suite's stacks.
dotnet test BuzzTalk.sln -m:1 "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# dotnet test prints one "Failed: N, Passed: N, ..." line per test project; add them up.
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s += $2} END {print s + 0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s += $2} END {print s + 0}')
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1 # the build or the test host failed before any test could report
fi
# The browser tests' screenshots (DebianChromium.SaveScreenshotAsync), those this run wrote: newer
# than the log, made just before the tests started. Listed here so CI's log names its artifacts.
screenshots=()
if [ -d artifacts/screenshots ]; then
  mapfile -t screenshots < <(find artifacts/screenshots -name '*.png' -newer "$log" | sort)
fi
echo "screenshots: ${#screenshots[@]}"
for screenshot in "${screenshots[@]}"; do
  echo "  $screenshot"
done
echo "$passed passed, $failed failed"
exit "$status"
