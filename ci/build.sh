#!/usr/bin/env bash
# Configures and builds the native engine (library, tests, benchmarks).
#   ci/build.sh                 release build into build/
#   ci/build.sh --sanitize      ASan + UBSan build into build-sanitize/
#   ci/build.sh --package DIR   the library for the jar into build-package/,
#                               staged into DIR (see stage_native); on
#                               linux-x86-64 with every dependency linked in,
#                               for glibc 2.28+ (ci/portable-deps.sh,
#                               cmake/QuiverPortable.cmake), which
#                               check_portable enforces
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
portable=0
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
  portable=1
  start=$SECONDS
  ci/portable-deps.sh "$build_dir/portable" arm64
  echo "build: portable arm64 dependencies ready in $((SECONDS - start)) s"
  extra+=(--toolchain cmake/toolchain-aarch64.cmake -DQUIVER_STATIC_DEPS=ON
          -DQUIVER_PORTABLE_DIR="$PWD/$build_dir/portable"
          -DCMAKE_BUILD_TYPE=Release -DQUIVER_BUILD_BENCHMARKS=OFF)
  if [ -n "$stage_dir" ]; then targets+=(--target quiver); fi
elif [ "$sanitize" = 1 ]; then
  build_dir=build-sanitize
  extra+=(-DQUIVER_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DQUIVER_BUILD_BENCHMARKS=OFF)
elif [ -n "$stage_dir" ]; then
  build_dir=build-package
  extra+=(-DQUIVER_STATIC_DEPS=ON -DCMAKE_BUILD_TYPE=Release -DQUIVER_BUILD_TESTS=OFF -DQUIVER_BUILD_BENCHMARKS=OFF)
  targets+=(--target quiver)
  # The portable recipe cross-builds from x86-64 (ci/portable-deps.sh); a
  # native build elsewhere ships the shared libraries it cannot link in.
  if [ "$(uname -m)" = x86_64 ]; then
    portable=1
    start=$SECONDS
    ci/portable-deps.sh "$build_dir/portable"
    echo "build: portable dependencies ready in $((SECONDS - start)) s"
    extra+=(-DQUIVER_PORTABLE_DIR="$PWD/$build_dir/portable")
  fi
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
  objdump_tool=aarch64-linux-gnu-objdump
  list_needed() { "$qemu" -L "$aarch64_root" "$aarch64_root/lib/ld-linux-aarch64.so.1" --list "$1"; }
  # qemu -L serves a path from the cross root when it exists there.
  host_path() { if [ -f "$aarch64_root$1" ]; then echo "$aarch64_root$1"; else echo "$1"; fi; }
else
  strip_tool=strip
  objdump_tool=objdump
  list_needed() { ldd "$1"; }
  host_path() { echo "$1"; }
fi

# glibc's own shared objects: every Linux system has them, so they are never
# shipped, and the portable library may need nothing else.
is_glibc() {
  case "$1" in
    linux-vdso.so.*|ld-linux*|libc.so.*|libm.so.*|libpthread.so.*|libdl.so.*|librt.so.*|libresolv.so.*|libutil.so.*|libanl.so.*|libmvec.so.*) return 0 ;;
    *) return 1 ;;
  esac
}

# The newest glibc symbol version the files need (their version needs, which
# list every version a symbol of theirs is bound to): the oldest glibc they
# load on.
newest_glibc() {
  readelf -W --version-info "$@" | { grep -o 'Name: GLIBC_[0-9.]*' || true; } | sed 's/.*GLIBC_//' | sort -Vu | tail -1
}

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
    if is_glibc "$name"; then continue; fi
    path=$(host_path "$path")
    [ -f "$path" ] || { echo "build: $lib needs $name, which was not found" >&2; exit 1; }
    cp -L "$path" "$dir/$name"
    chmod u+w "$dir/$name"
    "$strip_tool" --strip-unneeded "$dir/$name"
    names+=("$name")
  done < <(list_needed "$lib" | grep '=>')
  for n in "${names[@]}"; do patchelf --set-rpath '$ORIGIN' "$dir/$n"; done
  # The Java loader quotes it when the library does not load.
  local glibc
  glibc=$(cd "$dir" && newest_glibc "${names[@]}")
  { echo "# glibc $glibc"; printf '%s\n' "${names[@]}"; } > "$dir/files.txt"
  echo "build: $dir needs glibc $glibc"
}

# The library must load on glibc 2.28 (RHEL 8, the oldest Spark nodes) with
# nothing but glibc installed. Fails the build when a staged file
# binds a newer glibc symbol version (listing those symbols) or needs a
# library outside glibc; prints each file's highest version either way.
max_glibc=2.28
check_portable() {
  local dir=$1 status=0 f name highest odd needed
  for f in "$dir"/*.so*; do
    name=$(basename "$f")
    highest=$(newest_glibc "$f")
    echo "build: $name needs ${highest:+GLIBC_}${highest:-no versioned glibc symbol} (at most GLIBC_$max_glibc allowed)"
    if [ -n "$highest" ] && [ "$(printf '%s\n%s\n' "$max_glibc" "$highest" | sort -V | tail -1)" != "$max_glibc" ]; then
      echo "build: $name binds symbols newer than GLIBC_$max_glibc:" >&2
      "$objdump_tool" -T "$f" | awk -v max="$max_glibc" '
        match($0, /GLIBC_[0-9.]+/) {
          v = substr($0, RSTART + 6, RLENGTH - 6); split(v, a, "."); split(max, m, ".")
          if (a[1] > m[1] || (a[1] == m[1] && a[2] + 0 > m[2] + 0)) print "  GLIBC_" v " " $NF
        }' | sort -Vu >&2
      status=1
    fi
    # Version needs that no symbol carries, such as GLIBC_ABI_DT_RELR, are
    # not in the list above; and a glibc older than 2.36 silently skips packed
    # relative relocations (DT_RELR), whether or not that need is recorded.
    odd=$(readelf -V "$f" | sed -n 's/.*Name: \(GLIBC_[^ ]*\).*/\1/p' | { grep -v '^GLIBC_[0-9.]*$' || true; } | sort -u)
    if [ -n "$odd" ]; then
      echo "build: $name needs $(echo $odd), which glibc $max_glibc does not offer" >&2
      status=1
    fi
    if readelf -d "$f" | grep -q '(RELR)'; then
      echo "build: $name uses packed relative relocations (DT_RELR), which glibc $max_glibc ignores" >&2
      status=1
    fi
    needed=$(readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
    for n in $needed; do
      if ! is_glibc "$n"; then echo "build: $name needs $n, which is not part of glibc" >&2; status=1; fi
    done
  done
  [ "$status" = 0 ] || { echo "build: $dir is not portable (see above)" >&2; exit 1; }
}

if [ -n "$stage_dir" ]; then
  stage_native "$stage_dir"
  if [ "$portable" = 1 ]; then check_portable "$stage_dir"; fi
fi
