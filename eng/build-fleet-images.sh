#!/usr/bin/env bash
# Builds the local fleet's images from the samples with Debian packages (mmdebstrap into a
# folder, then `docker import`): buzztalk/backend (Django + Channels under daphne, port 8000)
# and buzztalk/frontend (nginx with the static chat page). Each tag is the content hash of
# what goes in (this script, the sample files, the package lists), so an unchanged input is a
# second run that takes a second. Needs root, network access to the Debian mirror, and dockerd
# (eng/start-dockerd.sh). Prints the two image references.
set -euo pipefail
cd "$(dirname "$0")/.."

docker=/usr/bin/docker
suite=bookworm
backend_packages=python3-django,python3-django-channels,python3-channels-redis,python3-daphne,python3-mysqldb,python3-redis,busybox
frontend_packages=nginx-light,busybox

if ! command -v mmdebstrap >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q && apt-get install -y -q --no-install-recommends mmdebstrap >/dev/null
fi

hash_of() {
  # The inputs of one image, in a stable order: a changed file, package or script changes the tag.
  { sha256sum <"$0"; echo "$suite $1"; find "$2" -type f -print0 | sort -z | xargs -0 sha256sum; } | sha256sum | cut -c1-12
}

# build NAME PACKAGES SOURCES HOOK; the image's settings come from the array `config`.
build() {
  local name=$1 packages=$2 sources=$3 hook=$4
  local tag
  tag=$(hash_of "$packages" "$sources")
  local image="buzztalk/$name:local-$tag"
  if "$docker" image inspect "$image" >/dev/null 2>&1; then
    echo "$image"
    return
  fi

  local root
  root=$(mktemp -d)
  trap 'rm -rf "$root"' RETURN
  # --variant=apt: only what the packages need; docs and caches are dropped to keep images small.
  # The hooks run under sh with the root folder as $1, hence the single quotes.
  # shellcheck disable=SC2016
  mmdebstrap --quiet --variant=apt --include="$packages" \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --customize-hook="$hook" --customize-hook='rm -rf "$1"/var/cache/apt/* "$1"/var/lib/apt/lists/*' \
    "$suite" "$root/rootfs.tar" >&2
  local args=() change
  for change in "${config[@]}"; do args+=(-c "$change"); done
  "$docker" import "${args[@]}" "$root/rootfs.tar" "$image" >/dev/null
  echo "$image"
}

# busybox gives the images wget for their health checks (the stack's frontend check uses it).
config=('WORKDIR /app' 'ENV PYTHONUNBUFFERED=1' 'EXPOSE 8000'
  'CMD ["python3", "-m", "daphne", "-b", "0.0.0.0", "-p", "8000", "buzzchat.asgi:application"]')
# shellcheck disable=SC2016
build backend "$backend_packages" samples/chat-backend \
  'mkdir -p "$1/app" && cp -a samples/chat-backend/. "$1/app/" && chroot "$1" busybox --install -s /usr/local/bin'
config=('EXPOSE 80' 'CMD ["/usr/sbin/nginx", "-g", "daemon off;"]')
# shellcheck disable=SC2016
build frontend "$frontend_packages" samples/chat-frontend \
  'mkdir -p "$1/usr/share/nginx/html" && cp -a samples/chat-frontend/. "$1/usr/share/nginx/html/" && chroot "$1" busybox --install -s /usr/local/bin' 
