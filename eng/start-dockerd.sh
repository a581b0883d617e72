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

# The published stack mounts /dev/disk into cAdvisor; a machine without block-device links
# (a container or VM with a flat /dev) gets the empty folder, so the bind source exists.
mkdir -p /dev/disk

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
  rm -rf "$root"
fi
# nginx from the host's Debian package, with the libraries it links, for stack tests that run
# the published nginx config inside the swarm. Rebuilt when the host's nginx changes.
nginx_image=buzztalk/nginx:test
nginx_label="$(sha256sum /usr/sbin/nginx | cut -c1-16)"
if [ "$("$docker" image inspect -f '{{index .Config.Labels "buzztalk.nginx"}}' "$nginx_image" 2>/dev/null || true)" != "$nginx_label" ]; then
  echo "start-dockerd: importing $nginx_image from the host's nginx"
  root=$(mktemp -d)
  mkdir -p "$root/bin" "$root/usr/sbin" "$root/etc/nginx" "$root/run" "$root/tmp" "$root/var/log/nginx" \
    "$root/var/lib/nginx" "$root/usr/share/nginx/html" "$root/usr/lib/nginx/modules"
  cp /usr/sbin/nginx "$root/usr/sbin/nginx"
  cp /etc/nginx/mime.types "$root/etc/nginx/mime.types"
  ldd /usr/sbin/nginx | grep -o '/[^ ]*' | while read -r lib; do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
  cp /bin/busybox "$root/bin/busybox"
  for applet in sh wget cat ls echo sleep; do ln -s busybox "$root/bin/$applet"; done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\nwww-data:x:33:33:www-data:/var/www:/bin/false\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\nwww-data:x:33:\n' >"$root/etc/group"
  echo '<!doctype html><title>BuzzTalk</title><p>buzztalk test spa</p>' >"$root/usr/share/nginx/html/index.html"
  tar -C "$root" -c . | "$docker" import -c "LABEL buzztalk.nginx=$nginx_label" \
    -c 'CMD ["/usr/sbin/nginx", "-g", "daemon off;"]' - "$nginx_image" >/dev/null
  rm -rf "$root"
fi
# Versions of a test app for the Deployer's rollout tests: v1 and v2 healthy, v3 not (no /healthy).
for version in v1 v2 v3; do
  if ! "$docker" image inspect "buzztalk/testapp:$version" >/dev/null 2>&1; then
    context=$(mktemp -d)
    healthy='touch /healthy'
    [ "$version" = v3 ] && healthy='true'
    printf 'FROM %s\nRUN echo %s > /version && %s\n' "$image" "$version" "$healthy" >"$context/Dockerfile"
    DOCKER_BUILDKIT=0 "$docker" build -q -t "buzztalk/testapp:$version" "$context" >/dev/null
    rm -rf "$context"
  fi
done
echo "start-dockerd: dockerd, swarm, $image, $nginx_image and buzztalk/testapp:v1-v3 ready"
