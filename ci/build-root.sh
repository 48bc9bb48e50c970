#!/usr/bin/env bash
# Makes (or brings up to date) the build root: a Debian unstable system in a
# directory, entered with chroot (ci/in-build-root.sh), that holds the compilers
# and the libraries the native build links against. They exist only in Debian
# unstable, and installing them on a release host would move its C library and
# base system to unstable; in the root they move nothing on the host. It plays
# the part manylinux images play for Python wheels.
#
#   ci/build-root.sh            the x86-64 toolchain and libraries
#   ci/build-root.sh --aarch64  also the aarch64 cross toolchain, the arm64
#                               libraries and qemu-user for the aarch64 tests
#
# The root lives in $QUIVER_BUILD_ROOT (default /var/cache/quiver/build-root),
# outside any checkout, so every clone on the machine shares it. A second run
# with nothing to install returns in a second. Needs root (debootstrap, chroot).
set -euo pipefail
cd "$(dirname "$0")/.."

want_aarch64=0
for a in "$@"; do
  case "$a" in
    --aarch64) want_aarch64=1 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "build-root: unknown option '$a'" >&2; exit 2 ;;
  esac
done

root=$(ci/in-build-root.sh --path)

# make and xz-utils: ci/portable-deps.sh builds libgomp with GCC's makefiles
# from its .tar.xz source.
PKGS=(g++-16 cmake ninja-build pkg-config patchelf binutils nlohmann-json3-dev libxxhash-dev
      libarrow-dev libparquet-dev libfaiss-dev libopenblas-dev libgtest-dev make xz-utils)
# The aarch64 cross build (cmake/toolchain-aarch64.cmake): the cross GCC 16 that
# built Debian's arm64 packages, the same libraries for arm64 through multiarch,
# pkgconf's aarch64-linux-gnu-pkg-config wrapper for Arrow's find modules, and
# qemu-user to run the tests.
ARM_PKGS=(g++-16-aarch64-linux-gnu binutils-aarch64-linux-gnu qemu-user pkgconf:arm64
          libarrow-dev:arm64 libparquet-dev:arm64 libfaiss-dev:arm64
          libopenblas-dev:arm64 libgtest-dev:arm64)

say() { printf 'build-root: %s\n' "$*"; }

ci/make-root.sh "$root" sid

# The archive's copy of unstable can be older than its Release file's expiry date.
echo 'Acquire::Check-Valid-Until "false";' > "$root/etc/apt/apt.conf.d/99quiver-no-expiry"

in_root() { ci/in-build-root.sh "$@"; }
wanted=("${PKGS[@]}")
if [ "$want_aarch64" = 1 ]; then wanted+=("${ARM_PKGS[@]}"); fi
missing=$(in_root bash -c 'for p in "$@"; do
    dpkg-query -W -f="\${Status}" "$p" 2>/dev/null | grep -q "install ok installed" || printf "%s " "$p"
  done' _ "${wanted[@]}")
if [ -z "${missing// /}" ]; then
  say "ready in $root"
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
if [ "$want_aarch64" = 1 ] && ! in_root dpkg --print-foreign-architectures | grep -qx arm64; then
  in_root dpkg --add-architecture arm64
fi
say "installing into the root: $missing"
in_root apt-get update -qq
# shellcheck disable=SC2086
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing \
  > "$root.apt.log" 2>&1 || { tail -30 "$root.apt.log" >&2; echo "build-root: apt-get failed; log: $root.apt.log" >&2; exit 1; }
in_root apt-get clean
say "ready in $root"
