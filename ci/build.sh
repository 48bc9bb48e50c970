#!/usr/bin/env bash
# Configures and builds the native engine (library, tests, benchmarks).
#   ci/build.sh                 release build into build/
#   ci/build.sh --sanitize      ASan + UBSan build into build-sanitize/
#   ci/build.sh --package DIR   the library for the jar into build-package/, its
#                               dependencies linked statically where possible,
#                               staged with the rest into DIR (see stage_native)
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=build
extra=()
targets=()
stage_dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --sanitize) build_dir=build-sanitize; extra+=(-DQUIVER_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DQUIVER_BUILD_BENCHMARKS=OFF) ;;
    --package)
      [ $# -ge 2 ] || { echo "build: --package needs a directory" >&2; exit 2; }
      stage_dir=$2; shift
      build_dir=build-package
      extra+=(-DQUIVER_STATIC_DEPS=ON -DCMAKE_BUILD_TYPE=Release -DQUIVER_BUILD_TESTS=OFF -DQUIVER_BUILD_BENCHMARKS=OFF)
      targets+=(--target quiver) ;;
    *) echo "build: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift
done

# Debian unstable's Arrow and FAISS were built by GCC 16; use the same.
if [ -z "${CXX:-}" ] && command -v g++-16 >/dev/null; then export CXX=g++-16 CC=gcc-16; fi
jobs=$(nproc)
cmake -S . -B "$build_dir" -G Ninja "${extra[@]}" >/dev/null
cmake --build "$build_dir" -j "$jobs" "${targets[@]}"

# Copies libquiver.so into $1 with every library it needs that is not part of
# glibc (those that could not be linked statically), points their run paths at
# $ORIGIN, and lists them in files.txt for the Java loader.
stage_native() {
  local dir=$1 lib=$build_dir/cpp/libquiver.so
  mkdir -p "$dir"
  rm -f "$dir"/*.so* "$dir/files.txt"
  cp "$lib" "$dir/libquiver.so"
  strip --strip-unneeded "$dir/libquiver.so"
  local names=(libquiver.so)
  while read -r name _ path _; do
    case "$name" in
      linux-vdso.so.*|ld-linux*|libc.so.*|libm.so.*|libpthread.so.*|libdl.so.*|librt.so.*|libresolv.so.*|libutil.so.*|libanl.so.*|libmvec.so.*) continue ;;
    esac
    [ -f "$path" ] || { echo "build: $lib needs $name, which was not found" >&2; exit 1; }
    cp -L "$path" "$dir/$name"
    chmod u+w "$dir/$name"
    strip --strip-unneeded "$dir/$name"
    names+=("$name")
  done < <(ldd "$lib" | grep '=>')
  for n in "${names[@]}"; do patchelf --set-rpath '$ORIGIN' "$dir/$n"; done
  printf '%s\n' "${names[@]}" > "$dir/files.txt"
}
if [ -n "$stage_dir" ]; then stage_native "$stage_dir"; fi
