#!/usr/bin/env bash
# Starts the whole local stack with the Aspire dashboard (its login URL is printed below).
# Installs the Debian packages of the processes profile first when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

eng/install-deps.sh

# The "http" launch profile serves the dashboard over plain HTTP on localhost: this machine
# kind has no trusted development certificate.
exec dotnet run --project BuzzTalk.AppHost --launch-profile http -- "$@"
