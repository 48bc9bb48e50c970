#!/usr/bin/env bash
# Makes a Debian root with debootstrap, unless DIR already holds one: the build
# root (ci/build-root.sh) and the roots of the old-distribution and
# fresh-machine tests. Only a finished root gets the name DIR (it is made in
# DIR.partial), so an interrupted run starts over; debootstrap's log is kept
# in DIR.log.
#
#   ci/make-root.sh DIR SUITE [DEBOOTSTRAP OPTION...]   e.g. DIR bullseye --arch=arm64 --foreign
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 DIR SUITE [DEBOOTSTRAP OPTION...]" >&2; exit 2; }
dir=$1 suite=$2
shift 2
if [ -e "$dir" ]; then exit 0; fi
command -v debootstrap >/dev/null || { echo "make-root: debootstrap is missing (ci/install-deps.sh installs it)" >&2; exit 1; }
echo "make-root: debootstrap $suite $* into $dir"
rm -rf "$dir.partial"
mkdir -p "$(dirname "$dir")"
if ! debootstrap --variant=minbase "$@" "$suite" "$dir.partial" http://deb.debian.org/debian > "$dir.log" 2>&1; then
  tail -20 "$dir.log" >&2
  echo "make-root: debootstrap failed; its log is $dir.log" >&2
  exit 1
fi
mv "$dir.partial" "$dir"
