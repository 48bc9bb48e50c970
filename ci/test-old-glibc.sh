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

ci/make-root.sh "$root" bullseye
glibc=$(chroot "$root" dpkg-query -W -f='${Version}' libc6)
echo "old-glibc: the root has libc6 $glibc"

work=$repo/target/old-glibc
rm -rf "$work"
mkdir -p "$work"
rows=3000
ci/in-build-root.sh build/cpp/tests/quiver_smoke_data "$work/data.parquet" $rows 32
# The jar, the probe and the jar's own dependencies (Arrow Java) from the local Maven repository.
JAVA_HOME=$jdk mvn -B -q -ntp -f bindings/pom.xml dependency:build-classpath \
  -Dmdep.includeScope=runtime -Dmdep.outputFile="$work/classpath.txt" > "$work/mvn.log" 2>&1 \
  || { cat "$work/mvn.log" >&2; exit 1; }
mkdir -p "$work/lib"
tr ':' '\n' < "$work/classpath.txt" | xargs cp -t "$work/lib"
cp="$repo/$jar:$repo/bindings/target/test-classes:$work/lib/*"

# The checkout (jar, test classes, data) and the JDK at their own paths in the old root.
QUIVER_BUILD_ROOT=$root QUIVER_MOUNT=$jdk ci/in-build-root.sh \
  "$jdk/bin/java" --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED \
  -cp "$cp" io.quiver.portability.OldSystemProbe "$work/data.parquet" "$work/index" "$rows"

if [ ! -d build-aarch64/portable/sysroot ] || ! "$jdk/bin/jar" tf "$jar" | grep -qx 'nativelib/linux-aarch64/libquiver.so'; then
  echo "old-glibc: no linux-aarch64 build (ci/build.sh --aarch64) or none in the jar; the arm64 run is left out"
  exit 0
fi
ci/make-root.sh "$arm_root" bullseye --foreign --arch=arm64
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
