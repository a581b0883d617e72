#!/usr/bin/env bash
# Starts dockerd (Debian's docker.io) in the background when none answers, makes this machine a
# single-node swarm, and imports the tiny test image built from busybox-static. Idempotent: a
# second run only checks. Used by eng/test.sh; needs root.
set -euo pipefail

docker=/usr/bin/docker
image=buzztalk/busybox:test
log=/var/log/buzztalk-dockerd.log

if ! "$docker" info >/dev/null 2>&1; then
  echo "start-dockerd: starting dockerd (log: $log)"
  nohup /usr/sbin/dockerd --host unix:///var/run/docker.sock >"$log" 2>&1 &
  for _ in $(seq 1 120); do
    "$docker" info >/dev/null 2>&1 && break
    sleep 0.5
  done
  "$docker" info >/dev/null 2>&1 || { echo "start-dockerd: dockerd did not answer; see $log" >&2; tail -20 "$log" >&2; exit 1; }
fi

if [ "$("$docker" info --format '{{.Swarm.LocalNodeState}}')" != "active" ]; then
  echo "start-dockerd: swarm init"
  "$docker" swarm init --advertise-addr 127.0.0.1 >/dev/null
fi

if ! "$docker" image inspect "$image" >/dev/null 2>&1; then
  echo "start-dockerd: importing $image from busybox-static"
  root=$(mktemp -d)
  trap 'rm -rf "$root"' EXIT
  mkdir -p "$root/bin" "$root/tmp" "$root/www"
  cp /bin/busybox "$root/bin/busybox"
  for applet in sh httpd sleep echo cat ls ps wget; do ln -s busybox "$root/bin/$applet"; done
  echo ok >"$root/www/index.html"
  tar -C "$root" -c . | "$docker" import -c 'CMD ["/bin/busybox", "httpd", "-f", "-p", "8080", "-h", "/www"]' - "$image" >/dev/null
fi
echo "start-dockerd: dockerd, swarm and $image ready"
