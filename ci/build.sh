#!/usr/bin/env bash
# Configures and builds the native engine (library, tests, benchmarks).
#   ci/build.sh                 release build into build/
#   ci/build.sh --sanitize      ASan + UBSan build into build-sanitize/
#   ci/build.sh --package DIR   the library for the jar into build-package/, its
#                               dependencies linked statically where possible,
#                               staged with the rest into DIR (see stage_native)
#   ci/build.sh --aarch64 [--package DIR]
#                               cross-builds for linux-aarch64 into
#                               build-aarch64/ (ci/install-deps.sh --aarch64
#                               installs what it needs): the library and the
#                               test suite, linked as the jar's library is, so
#                               that the suite tests what ships
#
# Everything here runs in the build root (ci/build-root.sh), where Debian
# unstable's compilers and libraries are; the host stays on its release.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${QUIVER_IN_BUILD_ROOT:-}" != 1 ]; then exec ci/in-build-root.sh ci/build.sh "$@"; fi

build_dir=build
extra=()
targets=()
stage_dir=""
aarch64=0
sanitize=0
while [ $# -gt 0 ]; do
  case "$1" in
    --sanitize) sanitize=1 ;;
    --aarch64) aarch64=1 ;;
    --package)
      [ $# -ge 2 ] || { echo "build: --package needs a directory" >&2; exit 2; }
      stage_dir=$2; shift ;;
    *) echo "build: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift
done

if [ "$aarch64" = 1 ]; then
  [ "$sanitize" = 0 ] || { echo "build: --sanitize is for the native build only" >&2; exit 2; }
  qemu=$(command -v qemu-aarch64-static || command -v qemu-aarch64 || true)
  for tool in aarch64-linux-gnu-g++-16 "${qemu:-qemu-aarch64}"; do
    command -v "$tool" >/dev/null || {
      echo "build: $tool is missing from the build root: run ci/install-deps.sh --aarch64 (Maven: -Dquiver.native.aarch64.skip=true builds without the aarch64 library)" >&2
      exit 1
    }
  done
  # One build serves the aarch64 tests (ci/test-aarch64.sh) and the jar.
  build_dir=build-aarch64
  extra+=(--toolchain cmake/toolchain-aarch64.cmake -DQUIVER_STATIC_DEPS=ON
          -DCMAKE_BUILD_TYPE=Release -DQUIVER_BUILD_BENCHMARKS=OFF)
  if [ -n "$stage_dir" ]; then targets+=(--target quiver); fi
elif [ "$sanitize" = 1 ]; then
  build_dir=build-sanitize
  extra+=(-DQUIVER_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DQUIVER_BUILD_BENCHMARKS=OFF)
elif [ -n "$stage_dir" ]; then
  build_dir=build-package
  extra+=(-DQUIVER_STATIC_DEPS=ON -DCMAKE_BUILD_TYPE=Release -DQUIVER_BUILD_TESTS=OFF -DQUIVER_BUILD_BENCHMARKS=OFF)
  targets+=(--target quiver)
fi

# Debian unstable's Arrow and FAISS were built by GCC 16; use the same (the
# aarch64 toolchain file names its cross compiler).
if [ "$aarch64" = 0 ] && [ -z "${CXX:-}" ] && command -v g++-16 >/dev/null; then
  export CXX=g++-16 CC=gcc-16
fi
jobs=$(nproc)
cmake -S . -B "$build_dir" -G Ninja "${extra[@]}" >/dev/null
cmake --build "$build_dir" -j "$jobs" "${targets[@]}"

# The tools that read the built library: the target's strip, and its dynamic
# loader's --list (what ldd prints), run under qemu-user for aarch64.
if [ "$aarch64" = 1 ]; then
  aarch64_root=/usr/aarch64-linux-gnu
  strip_tool=aarch64-linux-gnu-strip
  list_needed() { "$qemu" -L "$aarch64_root" "$aarch64_root/lib/ld-linux-aarch64.so.1" --list "$1"; }
  # qemu -L serves a path from the cross root when it exists there.
  host_path() { if [ -f "$aarch64_root$1" ]; then echo "$aarch64_root$1"; else echo "$1"; fi; }
else
  strip_tool=strip
  list_needed() { ldd "$1"; }
  host_path() { echo "$1"; }
fi

# Copies libquiver.so into $1 with every library it needs that is not part of
# glibc (those that could not be linked statically), points their run paths at
# $ORIGIN, and lists them in files.txt for the Java loader.
stage_native() {
  local dir=$1 lib=$build_dir/cpp/libquiver.so
  mkdir -p "$dir"
  rm -f "$dir"/*.so* "$dir/files.txt"
  cp "$lib" "$dir/libquiver.so"
  "$strip_tool" --strip-unneeded "$dir/libquiver.so"
  local names=(libquiver.so)
  while read -r name _ path _; do
    case "$name" in
      linux-vdso.so.*|ld-linux*|libc.so.*|libm.so.*|libpthread.so.*|libdl.so.*|librt.so.*|libresolv.so.*|libutil.so.*|libanl.so.*|libmvec.so.*) continue ;;
    esac
    path=$(host_path "$path")
    [ -f "$path" ] || { echo "build: $lib needs $name, which was not found" >&2; exit 1; }
    cp -L "$path" "$dir/$name"
    chmod u+w "$dir/$name"
    "$strip_tool" --strip-unneeded "$dir/$name"
    names+=("$name")
  done < <(list_needed "$lib" | grep '=>')
  for n in "${names[@]}"; do patchelf --set-rpath '$ORIGIN' "$dir/$n"; done
  # The oldest glibc the files load on: the newest symbol version any of them needs. The Java
  # loader quotes it when the library does not load.
  local glibc
  glibc=$(for n in "${names[@]}"; do readelf -W --version-info "$dir/$n"; done \
          | grep -o 'Name: GLIBC_[0-9.]*' | sed 's/.*GLIBC_//' | sort -Vu | tail -1)
  { echo "# glibc $glibc"; printf '%s\n' "${names[@]}"; } > "$dir/files.txt"
  echo "build: $dir needs glibc $glibc"
}
if [ -n "$stage_dir" ]; then stage_native "$stage_dir"; fi
