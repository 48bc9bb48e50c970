#!/usr/bin/env bash
# Proof that the packaged jar runs on an old Linux. A Debian 11 "bullseye" root
# (glibc 2.31), made with debootstrap and holding nothing but a JDK 22+ (this
# machine's, mounted: Temurin needs glibc 2.17), runs a Java program against
# the packaged jar: it loads the linux-x86-64 library, builds an index over a
# Parquet file, searches, fetches rows and checks the answers
# (bindings/src/test/java/io/quiver/portability/OldSystemProbe.java).
#
# linux-aarch64: no JDK 22+ for arm64 can be had here, so the native smoke
# program (cpp/tests/smoke/capi_smoke.c: build, search, fetch, checked),
# compiled against glibc 2.31's arm64 stubs and linked against the jar's
# linux-aarch64 library alone, runs under qemu-user with the loader and the C
# library of a Debian 11 arm64 root (its packages unpacked, nothing run).
#
#   ci/test-old-glibc.sh     after `mvn package` (the jar, the test classes),
#                            ci/build.sh (the Parquet writer of the tests) and,
#                            for aarch64, ci/build.sh --aarch64
#
# The roots are kept in /var/cache/quiver/bullseye-root and
# bullseye-arm64-root for later runs: nothing is ever installed in them.
# Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."

root=/var/cache/quiver/bullseye-root
arm_root=/var/cache/quiver/bullseye-arm64-root
repo=$(pwd -P)
jdk=$(ci/find-jdk.sh)
jar=$(ls bindings/target/quiver-bindings-*.jar 2>/dev/null | grep -v -e sources -e javadoc | head -1)
[ -n "$jar" ] || { echo "old-glibc: no packaged jar under bindings/target: run mvn package first" >&2; exit 1; }

if [ ! -x "$root/usr/bin/dpkg" ]; then
  echo "old-glibc: debootstrap bullseye into $root"
  rm -rf "$root.partial"
  mkdir -p "$(dirname "$root")"
  debootstrap --variant=minbase bullseye "$root.partial" http://deb.debian.org/debian > "$root.log" 2>&1 \
    || { tail -20 "$root.log" >&2; exit 1; }
  mv "$root.partial" "$root"
fi
glibc=$(chroot "$root" dpkg-query -W -f='${Version}' libc6)
echo "old-glibc: the root has libc6 $glibc"

work=$repo/target/old-glibc
rm -rf "$work"
mkdir -p "$work"
rows=3000
ci/in-build-root.sh build/cpp/tests/quiver_smoke_data "$work/data.parquet" $rows 32
# The jar, the probe and the jar's own dependencies (Arrow Java) from the local Maven repository.
JAVA_HOME=$jdk mvn -B -q -o -ntp -f bindings/pom.xml dependency:build-classpath \
  -Dmdep.includeScope=runtime -Dmdep.outputFile="$work/classpath.txt" > "$work/mvn.log" 2>&1 \
  || { cat "$work/mvn.log" >&2; exit 1; }
mkdir -p "$work/lib"
tr ':' '\n' < "$work/classpath.txt" | xargs cp -t "$work/lib"
cp="$repo/$jar:$repo/bindings/target/test-classes:$work/lib/*"

unshare --mount --propagation private -- bash -s "$root" "$jdk" "$repo" "$cp" "$work" "$rows" <<'INSIDE'
set -euo pipefail
root=$1 jdk=$2 repo=$3 cp=$4 work=$5 rows=$6
mount --bind "$root" "$root"
mount --rbind /proc "$root/proc"
mount --rbind /dev "$root/dev"
for d in "$jdk" "$repo"; do
  mkdir -p "$root$d"
  mount --bind "$d" "$root$d"
done
exec chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 PATH=/usr/sbin:/usr/bin:/sbin:/bin \
  "$jdk/bin/java" --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED -cp "$cp" io.quiver.portability.OldSystemProbe \
  "$work/data.parquet" "$work/index" "$rows"
INSIDE

if [ ! -d build-aarch64/portable/sysroot ] || ! unzip_list=$(cd "$work" && "$jdk/bin/jar" tf "$repo/$jar" | grep '^nativelib/linux-aarch64/libquiver.so$'); then
  echo "old-glibc: no linux-aarch64 build (ci/build.sh --aarch64) or none in the jar; the arm64 run is left out"
  exit 0
fi
if [ ! -e "$arm_root/lib/ld-linux-aarch64.so.1" ]; then
  echo "old-glibc: unpacking a bullseye arm64 root into $arm_root"
  rm -rf "$arm_root.partial"
  debootstrap --foreign --arch=arm64 --variant=minbase bullseye "$arm_root.partial" http://deb.debian.org/debian \
    > "$arm_root.log" 2>&1 || { tail -20 "$arm_root.log" >&2; exit 1; }
  mv "$arm_root.partial" "$arm_root"
fi
arm=$work/arm64
mkdir -p "$arm"
(cd "$arm" && "$jdk/bin/jar" xf "$repo/$jar" nativelib/linux-aarch64)
sysroot=$repo/build-aarch64/portable/sysroot
ci/in-build-root.sh aarch64-linux-gnu-gcc-16 -std=c11 -O1 -Icpp/include --sysroot="$sysroot" \
  -B"$sysroot/usr/lib/aarch64-linux-gnu" -L"$sysroot/usr/lib/aarch64-linux-gnu" \
  cpp/tests/smoke/capi_smoke.c -o "$arm/capi_smoke" -L"$arm/nativelib/linux-aarch64" -lquiver -lm \
  -Wl,-rpath,'$ORIGIN/nativelib/linux-aarch64'
QUIVER_MOUNT=$arm_root ci/in-build-root.sh qemu-aarch64 -L "$arm_root" "$arm_root/lib/aarch64-linux-gnu/libc.so.6" | head -1
QUIVER_MOUNT=$arm_root ci/in-build-root.sh qemu-aarch64 -cpu cortex-a72 -L "$arm_root" \
  "$arm/capi_smoke" "$work/data.parquet" "$arm/index" $rows 32
