#!/usr/bin/env bash
# Installs everything the build and the tests need, on a Debian bookworm (or
# newer) machine. Idempotent: a second run checks and returns in seconds.
#
#   ci/install-deps.sh            the x86-64 toolchain and libraries
#   ci/install-deps.sh --aarch64  also the aarch64 cross toolchain, the arm64
#                                 libraries and qemu-user
#
# What it changes on the machine: it installs a few packages of the machine's
# own release (below) and makes the build root, a Debian unstable system in
# /var/cache/quiver/build-root (ci/build-root.sh), which holds the compilers and
# the libraries the native library is built with. Nothing from unstable is
# installed on the machine itself: its C library and base system stay as they
# are.
set -euo pipefail
cd "$(dirname "$0")/.."

root_opts=()
for a in "$@"; do
  case "$a" in
    --aarch64) root_opts+=(--aarch64) ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "install-deps: unknown option '$a'" >&2; exit 2 ;;
  esac
done

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

# From the machine's own release: debootstrap makes the build root; Maven and
# a JDK build the Java modules; clang reads quiver.h for the generated
# bindings (bindings/src/build/java/io/quiver/ffigen); util-linux brings
# unshare, which ci/in-build-root.sh enters the root with; git makes the
# clean clone the fresh-machine test runs the demo from.
HOST_PKGS=(debootstrap maven clang util-linux ca-certificates git)
missing=()
for p in "${HOST_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# A JDK 22+ for the Foreign Function & Memory API. Debian's releases up to
# bookworm carry none; Temurin's (or any other) in /usr/lib/jvm or JAVA_HOME
# is found by ci/find-jdk.sh.
if ! ci_jdk=$(ci/find-jdk.sh); then
  echo "install-deps: no JDK 22 or newer found (QUIVER_JAVA_HOME, JAVA_HOME, /usr/lib/jvm/*)." >&2
  if apt-cache show openjdk-25-jdk-headless >/dev/null 2>&1; then
    echo "install-deps: installing openjdk-25-jdk-headless from this machine's release" >&2
    $SUDO apt-get install -y -qq --no-install-recommends openjdk-25-jdk-headless >/dev/null
    ci_jdk=$(ci/find-jdk.sh)
  else
    echo "install-deps: install one (for instance Eclipse Temurin 25) and set JAVA_HOME" >&2
    exit 1
  fi
fi

$SUDO ci/build-root.sh "${root_opts[@]}"
echo "install-deps: ready (JDK at $ci_jdk, build root at $(ci/in-build-root.sh --path))"
