#!/usr/bin/env bash
# Builds the local images with Debian packages (mmdebstrap into a folder, then `docker import`):
# buzztalk/backend (the Django + Channels sample under daphne, port 8000) with two variants for
# update demos, buzztalk/frontend (nginx with the static chat page), buzztalk/node-exporter and
# buzztalk/cadvisor, whose entrypoints take the `command:` arguments the published stack gives
# those services, and the containers profile's data services: buzztalk/redis (redis-server,
# started the way Aspire's Redis integration starts it) and buzztalk/mariadb (MariaDB behind an
# entrypoint that reads the official mysql image's MYSQL_* variables, eng/images/mariadb/). Each tag is the content hash of what goes in (this
# script, the sample files, the suite and package lists), so an unchanged input is a second run
# that takes a second. Needs root, mmdebstrap (eng/install-deps.sh), network access to the Debian
# mirror, and dockerd (eng/start-dockerd.sh).
#
# Prints one image reference a line: backend, backend v2, backend broken, frontend, frontend v2,
# node-exporter, cadvisor (left out when it cannot be built), redis, mariadb. With --env it prints shell
# assignments instead, for `eval`:
#   BACKEND_IMAGE, BACKEND_TAG        the v1 backend (repository:tag, and the tag alone)
#   BACKEND_V2_IMAGE, BACKEND_V2_TAG  the same app with /app/VERSION and BUZZTALK_VERSION=v2
#   BACKEND_BROKEN_IMAGE, BACKEND_BROKEN_TAG
#                                     never healthy: its settings module does not exist, so
#                                     daphne exits at start
#   FRONTEND_IMAGE                    the SPA (nginx-light with the chat page)
#   FRONTEND_V2_IMAGE, FRONTEND_V2_TAG
#                                     the same page with /VERSION (v2), for frontend deploys
#   EDGE_IMAGE                        the instances' edge: the frontend's image, whose nginx runs
#                                     the edge config (pinned: a frontend deploy does not touch it)
#   NODE_EXPORTER_IMAGE, CADVISOR_IMAGE (empty when unavailable)
#   REDIS_IMAGE, MYSQL_IMAGE          the containers profile's Redis and MySQL (MariaDB)
# With --apphost-args it prints the AppHost arguments that make the containers profile run these
# images (BuzzTalk:Images:{Backend,Frontend,Redis,MySql}), one a line, for eng/start.sh --local-images.
# The variants share the backend's repository, so `docker service update --image` with another
# tag (or BACKEND_IMAGE_TAG in the stack file) switches between them.
# Progress and mmdebstrap output go to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

output='lines'
case "${1:-}" in
  --env) output='env' ;;
  --apphost-args) output='apphost-args' ;;
  '') ;;
  *) echo "usage: $0 [--env | --apphost-args]" >&2; exit 2 ;;
esac

docker=/usr/bin/docker
mirror=http://deb.debian.org
backend_packages=python3-django,python3-django-channels,python3-channels-redis,python3-daphne,python3-mysqldb,python3-redis,busybox
frontend_packages=nginx-light,busybox
node_exporter_packages=prometheus-node-exporter
# bookworm and later have no cadvisor package; bullseye's (0.38) is the newest Debian has.
cadvisor_suite=bullseye
cadvisor_packages=cadvisor
redis_packages='redis-server'
mariadb_packages='mariadb-server'

if ! command -v mmdebstrap >/dev/null; then
  echo "build-images: mmdebstrap is missing; eng/install-deps.sh installs it" >&2
  exit 1
fi

hash_of() {
  # The inputs of one image, in a stable order: a changed file, suite, package or script
  # changes the tag.
  {
    sha256sum <"$0"
    echo "$1 $2"
    if [[ -n $3 ]]; then find "$3" -type f -print0 | sort -z | xargs -0 sha256sum; fi
  } | sha256sum | cut -c1-12
}

# build NAME SUITE PACKAGES SOURCES HOOK: sets `image`; the image's settings come from the
# array `config`. SOURCES (a folder hashed into the tag) and HOOK may be empty.
build() {
  local name=$1 suite=$2 packages=$3 sources=$4 hook=$5
  image="buzztalk/$name:local-$(hash_of "$suite" "$packages" "$sources")"
  if "$docker" image inspect "$image" >/dev/null 2>&1; then
    echo "$image: present" >&2
    return
  fi
  echo "$image: building from Debian $suite" >&2

  local root
  root=$(mktemp -d)
  # A RETURN trap outlives the function: it clears itself.
  trap 'rm -rf "$root"; trap - RETURN' RETURN
  local hooks=()
  [[ -n $hook ]] && hooks+=(--customize-hook="$hook")
  # --variant=apt: only what the packages need; docs and caches are dropped to keep images small.
  # The hooks run under sh with the root folder as $1, hence the single quotes.
  # shellcheck disable=SC2016
  mmdebstrap --quiet --variant=apt --include="$packages" \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    "${hooks[@]}" --customize-hook='rm -rf "$1"/var/cache/apt/* "$1"/var/lib/apt/lists/*' \
    "$suite" "$root/rootfs.tar" "deb $mirror/debian $suite main" "deb $mirror/debian $suite-updates main" \
    "deb $mirror/debian-security $suite-security main" >&2 || return
  local args=() change
  for change in "${config[@]}"; do args+=(-c "$change"); done
  "$docker" import "${args[@]}" "$root/rootfs.tar" "$image" >/dev/null || return
}

# derive BASE TAG DOCKERFILE-LINES: sets `image` to BASE's repository with TAG, built FROM BASE
# (no build context, so nothing but BASE and these lines goes in; BASE's tag is their hash).
derive() {
  local base=$1 tag=$2 lines=$3
  image="${base%:*}:$tag"
  if "$docker" image inspect "$image" >/dev/null 2>&1; then
    echo "$image: present" >&2
    return
  fi
  echo "$image: building from $base" >&2
  printf 'FROM %s\n%s\n' "$base" "$lines" | DOCKER_BUILDKIT=0 "$docker" build -q -t "$image" - >/dev/null
}

# busybox gives the images wget for their health checks (the stack's frontend check uses it).
config=('WORKDIR /app' 'ENV PYTHONUNBUFFERED=1' 'EXPOSE 8000'
  'LABEL com.buzztalk.version=v1'
  'CMD ["python3", "-m", "daphne", "-b", "0.0.0.0", "-p", "8000", "buzzchat.asgi:application"]')
# shellcheck disable=SC2016
build backend bookworm "$backend_packages" samples/chat-backend \
  'mkdir -p "$1/app" && cp -a samples/chat-backend/. "$1/app/" && chroot "$1" busybox --install -s /usr/local/bin'
backend=$image
backend_tag=${backend##*:}

derive "$backend" "$backend_tag-v2" 'RUN echo v2 >/app/VERSION
ENV BUZZTALK_VERSION=v2
LABEL com.buzztalk.version=v2'
backend_v2=$image
# asgi.py only defaults DJANGO_SETTINGS_MODULE, so this module is imported and fails.
derive "$backend" "$backend_tag-broken" 'ENV DJANGO_SETTINGS_MODULE=buzzchat.settings_that_do_not_exist
LABEL com.buzztalk.version=broken'
backend_broken=$image

config=('EXPOSE 80' 'CMD ["/usr/sbin/nginx", "-g", "daemon off;"]')
# shellcheck disable=SC2016
build frontend bookworm "$frontend_packages" samples/chat-frontend \
  'mkdir -p "$1/usr/share/nginx/html" && cp -a samples/chat-frontend/. "$1/usr/share/nginx/html/" && chroot "$1" busybox --install -s /usr/local/bin'
frontend=$image
frontend_tag=${frontend##*:}

# A second SPA build for frontend deploys: the same page with /VERSION.
derive "$frontend" "$frontend_tag-v2" 'RUN echo v2 >/usr/share/nginx/html/VERSION'
frontend_v2=$image

# The stack's `command:` (--path.rootfs=/rootfs, --web.listen-address=:9100, ...) becomes the
# binary's arguments.
config=('EXPOSE 9100' 'ENTRYPOINT ["/usr/bin/prometheus-node-exporter"]' 'CMD []')
build node-exporter bookworm "$node_exporter_packages" '' ''
node_exporter=$image

# The same for cAdvisor (--port=8080, --docker_only=true, ...); it reads the host through the
# stack's mounts (/rootfs, /var/run, /sys, /var/lib/docker, /dev/disk). An unreachable suite
# is not fatal: the fleet then runs without container metrics.
config=('EXPOSE 8080' 'ENTRYPOINT ["/usr/bin/cadvisor", "-logtostderr"]' 'CMD []')
if build cadvisor "$cadvisor_suite" "$cadvisor_packages" '' ''; then
  cadvisor=$image
else
  echo "cadvisor: no image (Debian $cadvisor_suite unreachable or without $cadvisor_packages); skipped" >&2
  cadvisor=
fi

# Aspire's Redis runs `/bin/sh -c "redis-server ..."`; /data is where its data mount goes.
config=('WORKDIR /data' 'EXPOSE 6379' 'CMD ["redis-server"]')
# shellcheck disable=SC2016
build redis bookworm "$redis_packages" '' 'mkdir -p "$1/data"'
redis=$image

# The package's postinst initialises a data directory; the entrypoint makes its own on first start.
config=('EXPOSE 3306' 'ENTRYPOINT ["/usr/local/bin/buzztalk-mariadb-entrypoint"]' 'CMD []')
# shellcheck disable=SC2016
build mariadb bookworm "$mariadb_packages" eng/images/mariadb \
  'rm -rf "$1"/var/lib/mysql/* && install -m 0755 eng/images/mariadb/entrypoint.sh "$1/usr/local/bin/buzztalk-mariadb-entrypoint"'
mariadb=$image

if [[ $output == apphost-args ]]; then
  for pair in "Backend=$backend" "Frontend=$frontend" "Redis=$redis" "MySql=$mariadb"; do
    option=${pair%%=*} reference=${pair#*=}
    printf '%s\n' "--BuzzTalk:Images:$option:Image=${reference%:*}" "--BuzzTalk:Images:$option:Tag=${reference##*:}"
  done
elif [[ $output == env ]]; then
  printf '%s=%s\n' \
    BACKEND_IMAGE "$backend" BACKEND_TAG "$backend_tag" \
    BACKEND_V2_IMAGE "$backend_v2" BACKEND_V2_TAG "${backend_v2##*:}" \
    BACKEND_BROKEN_IMAGE "$backend_broken" BACKEND_BROKEN_TAG "${backend_broken##*:}" \
    FRONTEND_IMAGE "$frontend" FRONTEND_V2_IMAGE "$frontend_v2" FRONTEND_V2_TAG "${frontend_v2##*:}" \
    EDGE_IMAGE "$frontend" NODE_EXPORTER_IMAGE "$node_exporter" CADVISOR_IMAGE "$cadvisor" \
    REDIS_IMAGE "$redis" MYSQL_IMAGE "$mariadb"
else
  printf '%s\n' "$backend" "$backend_v2" "$backend_broken" "$frontend" "$frontend_v2" "$node_exporter" ${cadvisor:+"$cadvisor"} \
    "$redis" "$mariadb"
fi
