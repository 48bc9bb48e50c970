#!/usr/bin/env bash
# Configures and builds the native engine (library, tests, benchmarks).
#   ci/build.sh                 release build into build/
#   ci/build.sh --sanitize      ASan + UBSan build into build-sanitize/
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=build
extra=()
for a in "$@"; do
  case "$a" in
    --sanitize) build_dir=build-sanitize; extra+=(-DQUIVER_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DQUIVER_BUILD_BENCHMARKS=OFF) ;;
    *) echo "build: unknown option '$a'" >&2; exit 2 ;;
  esac
done

# Debian unstable's Arrow and FAISS were built by GCC 16; use the same.
if [ -z "${CXX:-}" ] && command -v g++-16 >/dev/null; then export CXX=g++-16 CC=gcc-16; fi
jobs=$(nproc)
cmake -S . -B "$build_dir" -G Ninja "${extra[@]}" >/dev/null
cmake --build "$build_dir" -j "$jobs"
