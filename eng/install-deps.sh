#!/usr/bin/env bash
# Installs the Debian packages the processes profile, the tests (chromium for the browser tests; mmdebstrap for
# eng/build-images.sh) and the benchmarks (ab; haproxy as the local fleet's balancer) need. Idempotent: packages
# already present are skipped, so a second run takes a second.
set -euo pipefail

packages=(
  redis-server mariadb-server nginx-light prometheus prometheus-alertmanager openssh-server openssh-client
  shellcheck
  chromium
  apache2-utils haproxy
  docker.io busybox-static mmdebstrap
  python3-django python3-django-channels python3-channels-redis python3-daphne python3-mysqldb
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
# Packages only: their services must not start system-wide daemons that would hold the ports
# and data directories the stack manages itself. A policy already in place is left alone.
policy=/usr/sbin/policy-rc.d
own_policy=false
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo_cmd[@]}" tee "$policy" >/dev/null
  "${sudo_cmd[@]}" chmod +x "$policy"
  own_policy=true
fi
trap '[ "$own_policy" = true ] && "${sudo_cmd[@]}" rm -f "$policy"' EXIT
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
