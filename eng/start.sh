#!/usr/bin/env bash
# Starts the whole local stack with the Aspire dashboard (its login URL is printed below).
# Installs the Debian packages of the processes profile first when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

eng/install-deps.sh

# --local-images: the containers profile on images built here from Debian packages (no registry
# needed; dockerd must be running, e.g. eng/start-dockerd.sh). With every image present,
# BuzzTalk:LocalRuntime=auto picks containers.
args=()
for arg in "$@"; do
  if [[ $arg == --local-images ]]; then
    mapfile -t images < <(eng/build-images.sh --apphost-args)
    args+=("${images[@]}")
  else
    args+=("$arg")
  fi
done

# The "http" launch profile serves the dashboard over plain HTTP on localhost: this machine
# kind has no trusted development certificate.
exec dotnet run --project BuzzTalk.AppHost --launch-profile http -- "${args[@]}"
