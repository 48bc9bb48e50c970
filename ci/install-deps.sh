#!/usr/bin/env bash
# Installs everything the build and the tests need on a fresh Debian bookworm
# machine. Idempotent: a second run checks and returns in seconds.
#
#   ci/install-deps.sh            x86-64 toolchain and libraries
#   ci/install-deps.sh --aarch64  additionally the aarch64 cross toolchain,
#                                 arm64 libraries and qemu-user
set -euo pipefail

want_aarch64=0
for a in "$@"; do
  case "$a" in
    --aarch64) want_aarch64=1 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "install-deps: unknown option '$a'" >&2; exit 2 ;;
  esac
done

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

# Arrow/Parquet 25 and FAISS exist only in Debian unstable; pin it low so that
# nothing else on the machine moves to it.
SID_LIST=/etc/apt/sources.list.d/quiver-sid.list
SID_PREF=/etc/apt/preferences.d/quiver-sid
need_update=0
if [ ! -f "$SID_LIST" ]; then
  echo 'deb [check-valid-until=no] http://deb.debian.org/debian sid main' | $SUDO tee "$SID_LIST" >/dev/null
  need_update=1
fi
if [ ! -f "$SID_PREF" ]; then
  printf 'Package: *\nPin: release n=sid\nPin-Priority: 100\n' | $SUDO tee "$SID_PREF" >/dev/null
  need_update=1
fi

SID_PKGS=(libarrow-dev libparquet-dev libfaiss-dev libopenblas-dev libgtest-dev g++-16)
# make and xz-utils: ci/portable-deps.sh builds libgomp with GCC's makefiles
# from its .tar.xz source.
BASE_PKGS=(cmake ninja-build clang pkg-config maven patchelf nlohmann-json3-dev make xz-utils)
# The aarch64 cross build (cmake/toolchain-aarch64.cmake): the cross GCC 16
# that built Debian's arm64 packages, the same libraries for arm64 through
# multiarch, pkgconf's aarch64-linux-gnu-pkg-config wrapper for Arrow's find
# modules, and qemu-user to run the tests. Multi-Arch: same libraries must
# have one version across architectures, so this moves a few x86-64 runtime
# libraries (zlib, brotli, curl, gnutls...) to their sid versions too.
ARM_PKGS=(g++-16-aarch64-linux-gnu qemu-user-static pkgconf:arm64
          libarrow-dev:arm64 libparquet-dev:arm64 libfaiss-dev:arm64
          libopenblas-dev:arm64 libgtest-dev:arm64)

missing() {
  local out=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || out+=("$p")
  done
  echo "${out[@]:-}"
}

m_base=$(missing "${BASE_PKGS[@]}")
m_sid=$(missing "${SID_PKGS[@]}")
m_arm=""
if [ "$want_aarch64" = 1 ]; then
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    $SUDO dpkg --add-architecture arm64
    need_update=1
  fi
  m_arm=$(missing "${ARM_PKGS[@]}")
fi

if [ -n "$m_base$m_sid$m_arm" ] || [ "$need_update" = 1 ]; then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  if [ -n "$m_base" ]; then
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -qq --no-install-recommends $m_base
  fi
  if [ -n "$m_sid$m_arm" ]; then
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -qq --no-install-recommends -t sid \
      -o Dpkg::Options::=--force-overwrite $m_sid $m_arm
  fi
fi

# g++-16 writes constant data with the .base64 directive, which bookworm's
# assembler (binutils 2.40) rejects; sid's binutils understands it.
if ! printf '.section .rodata\n.base64 "AA=="\n' | as -o /dev/null - 2>/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends -t sid binutils
fi

# A JDK 22+ for the Foreign Function & Memory API.
if ! ci_jdk=$("$(dirname "$0")/find-jdk.sh" 2>/dev/null); then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends -t sid openjdk-25-jdk-headless
  ci_jdk=$("$(dirname "$0")/find-jdk.sh")
fi
echo "install-deps: ready (JDK at $ci_jdk)"
