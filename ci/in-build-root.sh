#!/usr/bin/env bash
# Runs a command inside the build root (ci/build-root.sh), in the current
# directory: the checkout and the shared/ folder beside it (the parquet-testing
# corpus) are mounted at their own paths, so paths mean the same inside and out.
# The mounts live in a private mount namespace and vanish with the command.
#
#   ci/in-build-root.sh COMMAND [ARG...]
#   ci/in-build-root.sh --path      prints where the root is
#
# QUIVER_MOUNT=DIR[:DIR...] mounts more directories at their own paths;
# QUIVER_BUILD_ROOT names another root (ci/test-old-glibc.sh runs in Debian 11
# roots this way).
#
# Inside the root already (QUIVER_IN_BUILD_ROOT=1) it just runs the command,
# and QUIVER_BUILD_ROOT=/ makes this system the build root (a Debian unstable
# machine with the packages ci/build-root.sh lists).
set -euo pipefail

root=${QUIVER_BUILD_ROOT:-/var/cache/quiver/build-root}
if [ "${1:-}" = --path ]; then echo "$root"; exit 0; fi
[ $# -gt 0 ] || { echo "in-build-root: no command" >&2; exit 2; }
if [ "${QUIVER_IN_BUILD_ROOT:-}" = 1 ]; then exec "$@"; fi
if [ "$root" = / ]; then QUIVER_IN_BUILD_ROOT=1 exec "$@"; fi

if [ "${1:-}" != --inside ]; then
  [ -x "$root/usr/bin/apt-get" ] || {
    echo "in-build-root: there is no build root at $root; run ci/install-deps.sh first" >&2; exit 1; }
  repo=$(cd "$(dirname "$0")/.." && pwd -P)
  unshare_opts=(--mount --propagation private)
  # Not root: a user namespace maps this user to root inside it, which may chroot and mount.
  if [ "$(id -u)" != 0 ]; then unshare_opts=(--user --map-root-user "${unshare_opts[@]}"); fi
  exec unshare "${unshare_opts[@]}" -- "$0" --inside "$repo" "$(pwd -P)" "$@"
fi

shift
repo=$1 cwd=$2
shift 2
mount --rbind /proc "$root/proc"
mount --rbind /dev "$root/dev"
mount --rbind /sys "$root/sys"
extra_mounts=()
if [ -n "${QUIVER_MOUNT:-}" ]; then IFS=: read -r -a extra_mounts <<<"$QUIVER_MOUNT"; fi
for dir in "$repo" "$(dirname "$repo")/shared" "$(dirname "$(dirname "$repo")")/shared" "${extra_mounts[@]}"; do
  if [ -d "$dir" ]; then
    mkdir -p "$root$dir"
    mount --rbind "$dir" "$root$dir"
  fi
done
# A clean environment but for what the build and the tests read.
env=(HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8
     QUIVER_IN_BUILD_ROOT=1 "TERM=${TERM:-dumb}")
for v in CI CXX CC ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS QUIVER_KERNELS DEBIAN_FRONTEND; do
  if [ -n "${!v:-}" ]; then env+=("$v=${!v}"); fi
done
exec chroot "$root" /usr/bin/env -i "${env[@]}" /bin/bash -c 'cd "$1" && shift && exec "$@"' bash "$cwd" "$@"
