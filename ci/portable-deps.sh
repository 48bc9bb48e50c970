#!/usr/bin/env bash
# Prepares what the portable libquiver.so is linked with
# (cmake/QuiverStaticDeps.cmake, QUIVER_PORTABLE_DIR), for linux-x86-64
# (amd64) or, cross-compiled, linux-aarch64 (arm64):
#
#   DIR/sysroot  glibc 2.31's libraries and link stubs (Debian 11's libc6 and
#                libc6-dev). The library is linked against these instead of
#                the build machine's glibc 2.43, so the linker can bind no
#                symbol version newer than 2.31; cpp/portable/ covers what the
#                dependencies need beyond that, down to 2.28.
#   DIR/lib      position-independent static archives, built from Debian's
#                source packages, of the dependencies Debian ships no usable
#                archive of: thrift and bzip2 (archives not built with -fPIC),
#                mimalloc (no archive), libgomp (its archive uses local-exec
#                TLS, which a shared library cannot hold).
#
#   ci/portable-deps.sh DIR [amd64|arm64]
#
# Downloads go through apt with a private configuration under DIR/apt, from
# the build root's Debian mirror; the root's own apt state is not touched. Returns at once when DIR already holds what this
# recipe makes for the installed package versions.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: $0 DIR [amd64|arm64]" >&2; exit 2; }
dir=$(realpath -m "$1")
arch=${2:-amd64}
case "$arch" in
  amd64) triple=x86_64-linux-gnu; CC=gcc-16; CXX=g++-16; AR=ar
         static_tls='R_X86_64_(GOTTPOFF|TPOFF32|TPOFF64)' ;;
  arm64) triple=aarch64-linux-gnu; CC=aarch64-linux-gnu-gcc-16; CXX=aarch64-linux-gnu-g++-16
         AR=aarch64-linux-gnu-ar
         static_tls='R_AARCH64_TLS(IE|LE)_' ;;
  *) echo "portable-deps: unknown architecture '$arch'" >&2; exit 2 ;;
esac
jobs=$(nproc)

# The sources must be those of the installed packages: libparquet.a was
# compiled against this thrift's headers, the engine against this GCC's omp.h.
src_version() { dpkg-query -W -f '${source:Version}\n' "$1" | head -1; }
gcc_pkg=gcc-16
thrift_v=$(src_version libthrift-dev)
gcc_v=$(src_version "$gcc_pkg")
bzip2_v=$(src_version libbz2-dev)
# Arrow calls five functions of mimalloc's stable C API (mi_malloc_aligned,
# mi_realloc_aligned, mi_free, mi_collect, mi_stats_print_out); any release
# has them. Bookworm's 2.0.9 is used: a stable release's source stays in the
# archive, while sid's moves with each upload (and the mirror this was
# written against did not serve the 3.6.0 that Arrow's package links).
mimalloc_spec=mimalloc/bookworm
stamp="recipe 1; $arch; thrift $thrift_v; gcc $gcc_v; bzip2 $bzip2_v; $mimalloc_spec"
if [ -f "$dir/stamp" ] && [ "$(cat "$dir/stamp")" = "$stamp" ]; then
  exit 0
fi
rm -rf "$dir"/{apt,src,obj,lib,sysroot,stamp}
mkdir -p "$dir"/{apt,src,obj,lib,sysroot}
start=$SECONDS
timing() { echo "portable-deps: $1: $((SECONDS - $2)) s"; }

# A private apt: the bullseye binary index (for libc6) and the sid and
# bookworm source indexes, on the build root's own mirror (ci/build-root.sh).
mirror=$({ cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true; } \
  | awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; exit } }')
[ -n "$mirror" ] || { echo "portable-deps: no Debian mirror in /etc/apt/sources.list: run it in the build root (ci/build.sh does)" >&2; exit 1; }
apt_dir=$dir/apt
mkdir -p "$apt_dir"/{lists/partial,archives/partial,parts}
touch "$apt_dir/status"
cat > "$apt_dir/sources.list" <<EOF
deb [arch=$arch] $mirror bullseye main
deb-src [check-valid-until=no] $mirror sid main
deb-src $mirror bookworm main
EOF
APT=(-qq -o Dir::Etc::SourceList="$apt_dir/sources.list" -o Dir::Etc::SourceParts="$apt_dir/parts"
     -o Dir::State="$apt_dir" -o Dir::State::Lists="$apt_dir/lists" -o Dir::State::status="$apt_dir/status"
     -o Dir::Cache="$apt_dir" -o Dir::Cache::archives="$apt_dir/archives"
     -o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts="$apt_dir/parts"
     -o APT::Architectures::="$arch" -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
apt-get "${APT[@]}" update

# The source version to fetch for an installed one: the installed one, or
# else any other Debian revision of the same upstream release (they share the
# upstream tarball, the only file used), since an installed package may lag
# behind the archive's index.
src_spec() {
  local pkg=$1 want=$2 v
  upstream() { local u=${1#*:}; echo "${u%-*}"; }
  for v in $(apt-cache "${APT[@]}" showsrc "$pkg" | sed -n 's/^Version: //p'); do
    if [ "$v" = "$want" ]; then echo "$pkg=$v"; return; fi
  done
  for v in $(apt-cache "${APT[@]}" showsrc "$pkg" | sed -n 's/^Version: //p'); do
    if [ "$(upstream "$v")" = "$(upstream "$want")" ]; then echo "$pkg=$v"; return; fi
  done
  echo "portable-deps: no source of $pkg $(upstream "$want") in the archive's index" >&2
  exit 1
}

# The upstream tarball of a source package (SPEC as apt-get source takes it),
# hash-checked, into DIR/src; prints its path.
fetch_orig() {
  local line uri name size hash
  line=$(apt-get "${APT[@]}" --print-uris source "$1" | grep -E "\.orig\.tar\.[a-z0-9]+'" | head -1)
  [ -n "$line" ] || { echo "portable-deps: no upstream tarball for source package $1" >&2; exit 1; }
  read -r uri name size hash <<< "$line"
  uri=${uri//\'/}
  /usr/lib/apt/apt-helper -qq -o APT::Sandbox::User=root download-file "$uri" "$dir/src/$name" "$hash" >&2
  echo "$dir/src/$name"
}

# glibc 2.31: its shared objects and link scripts, with absolute symlinks
# made relative so that nothing resolves into the build machine's /lib.
t=$SECONDS
(cd "$apt_dir/archives" && apt-get "${APT[@]}" download "libc6:$arch" "libc6-dev:$arch")
for deb in "$apt_dir"/archives/libc6_*.deb "$apt_dir"/archives/libc6-dev_*.deb; do
  dpkg-deb -x "$deb" "$dir/sysroot"
done
(cd "$dir/sysroot" && find . -type l | while read -r link; do
  target=$(readlink "$link")
  case "$target" in
    /*) ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" ".$target")" "$link" ;;
  esac
done)
timing "glibc 2.31 sysroot ($arch)" $t

# Compiles sources (paths relative to the current directory) in parallel into
# DIR/obj/NAME and archives them as DIR/lib/libNAME.a.
compile_archive() {
  local name=$1 compiler=$2 flags=$3; shift 3
  mkdir -p "$dir/obj/$name"
  printf '%s\n' "$@" | xargs -P "$jobs" -I{} sh -c \
    "$compiler $flags -c {} -o \"$dir/obj/$name/\$(basename {} | tr . _).o\""
  "$AR" rcs "$dir/lib/lib$name.a" "$dir/obj/$name"/*.o
}

# thrift: the C++ runtime pieces Parquet's generated code uses (protocols,
# memory transport, exceptions), against the installed headers and config.h.
t=$SECONDS
orig=$(fetch_orig "$(src_spec thrift "$thrift_v")")
tar xf "$orig" -C "$dir/src" --wildcards '*/lib/cpp/src/thrift/*'
(cd "$dir"/src/thrift-*/lib/cpp/src/thrift && compile_archive thrift "$CXX" "-std=c++17 -O2 -fPIC -DNDEBUG" \
  TApplicationException.cpp TOutput.cpp protocol/TProtocol.cpp \
  transport/TBufferTransports.cpp transport/TTransportException.cpp)
timing "thrift $thrift_v" $t

# bzip2: the library half (Arrow's BZ2 codec).
t=$SECONDS
orig=$(fetch_orig "$(src_spec bzip2 "$bzip2_v")")
tar xf "$orig" -C "$dir/src"
(cd "$dir"/src/bzip2-*/ && compile_archive bz2 "$CC" "-O2 -fPIC -D_FILE_OFFSET_BITS=64" \
  blocksort.c huffman.c crctable.c randtable.c compress.c decompress.c bzlib.c)
timing "bzip2 $bzip2_v" $t

# mimalloc: its one-file build. No MI_MALLOC_OVERRIDE: only Arrow's memory
# pool uses it, malloc stays glibc's. local-dynamic TLS instead of mimalloc's
# default initial-exec, which a dlopen'ed library may not get room for.
t=$SECONDS
orig=$(fetch_orig "$mimalloc_spec")
tar xf "$orig" -C "$dir/src"
(cd "$dir"/src/mimalloc-*/ && compile_archive mimalloc "$CC" \
  "-std=gnu11 -O3 -DNDEBUG -fPIC -fvisibility=hidden -ftls-model=local-dynamic -fno-builtin-malloc -DMI_STATIC_LIB -Iinclude" \
  src/static.c)
timing "mimalloc ($mimalloc_spec)" $t

# libgomp: GCC's own configure and makefile for the runtime alone, PIC, and
# without the initial-exec TLS that configure.tgt asks for on Linux: a
# library holding initial-exec TLS must be given static TLS space when it is
# dlopen'ed, all of it (libquiver.so's is 12 KB, far above what glibc keeps
# spare), or the load fails. libgomp supports the general TLS models (it
# uses them on musl and the BSDs).
t=$SECONDS
orig=$(fetch_orig "$(src_spec "$gcc_pkg" "$gcc_v")")
gcc_src=$dir/src/gcc
mkdir -p "$gcc_src"
tar xf "$orig" -O --wildcards '*/gcc-*.tar.*' |
  tar xJ -C "$gcc_src" --strip-components=1 --wildcards --no-wildcards-match-slash \
    'gcc-*/libgomp' 'gcc-*/include' 'gcc-*/config' 'gcc-*/config.guess' 'gcc-*/config.sub' \
    'gcc-*/install-sh' 'gcc-*/ltmain.sh' 'gcc-*/missing' 'gcc-*/depcomp' 'gcc-*/compile' \
    'gcc-*/mkinstalldirs' 'gcc-*/config-ml.in'
mkdir -p "$dir/obj/gomp"
(cd "$dir/obj/gomp" &&
  CC=$CC CFLAGS="-O2 -g0 -fPIC" "$gcc_src/libgomp/configure" --build="$(gcc-16 -dumpmachine)" --host=$triple \
    --target=$triple --disable-multilib --enable-static --disable-shared --with-pic \
    --disable-werror > configure.log 2>&1 || { tail -30 configure.log >&2; exit 1; }
  xcflags=$(sed -n 's/^XCFLAGS = //p' Makefile)
  make -j "$jobs" XCFLAGS="${xcflags//-ftls-model=initial-exec -DUSING_INITIAL_EXEC_TLS/}" libgomp.la > make.log 2>&1 ||
    { tail -30 make.log >&2; exit 1; }
  cp .libs/libgomp.a "$dir/lib/libgomp.a")
if readelf -r "$dir/lib/libgomp.a" | grep -qE "$static_tls"; then
  echo "portable-deps: libgomp.a still uses initial- or local-exec TLS" >&2
  exit 1
fi
timing "libgomp $gcc_v" $t

rm -rf "$dir/src" "$dir/obj" "$apt_dir/archives" "$apt_dir/lists"
echo "$stamp" > "$dir/stamp"
timing "all" $start
