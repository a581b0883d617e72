#!/bin/sh
# Moves the release links of an instance's deploy root; each link is replaced by rename, so a
# reader (the instance's boot script) never finds one missing.
#   release-links.sh switch ROOT RELEASE   previous <- current, current <- RELEASE
#   release-links.sh swap ROOT             current <-> previous; prints the new current
set -eu
operation=$1
root=$2
cd "$root"
case $operation in
switch) target=$3 ;;
swap)
    [ -L previous ] || exit 0
    target=$(readlink previous)
    ;;
*)
    echo "release-links.sh: unknown operation $operation" >&2
    exit 2
    ;;
esac
if [ -L current ]; then ln -sfn "$(readlink current)" previous.tmp && mv -Tf previous.tmp previous; fi
ln -sfn "$target" current.tmp && mv -Tf current.tmp current
if [ "$operation" = swap ]; then echo "$target"; fi
