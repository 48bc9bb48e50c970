#!/usr/bin/env bash
# Sets up a fresh machine and runs every test: the native GoogleTest suite
# (plain and under ASan/UBSan), the aarch64 build's suite under qemu-user,
# the Java and Spark suites (the jar carries both native libraries), the jar
# on an old distribution (Debian 11, glibc 2.31), and the README's first
# command on a freshly made Debian bookworm machine.
set -euo pipefail
cd "$(dirname "$0")/.."

# Each step says when it starts, so a CI log reads as wall time by stage.
step() { printf '\n== %s (at %d s)\n' "$*" "$SECONDS"; }
step "set-up (ci/install-deps.sh --aarch64)"
ci/install-deps.sh --aarch64

step "native build"
ci/build.sh
step "native tests"
ci/in-build-root.sh ctest --test-dir build --no-tests=error --output-on-failure -j 2 --timeout 600

step "native tests under AddressSanitizer + UndefinedBehaviorSanitizer"
ci/build.sh --sanitize
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ci/in-build-root.sh ctest --test-dir build-sanitize --no-tests=error --output-on-failure -j 2 --timeout 900

step "linux-aarch64: cross build, tests under qemu-user"
ci/test-aarch64.sh

if [ -f pom.xml ]; then
  step "Java and Spark tests"
  # Not quiet: Surefire's per-suite "Tests run:" lines are the record of what ran.
  JAVA_HOME=$(ci/find-jdk.sh) mvn -B -ntp verify
  step "the packaged jar on Debian 11 (glibc 2.31)"
  ci/test-old-glibc.sh
fi

step "the README's first command (ci/demo.sh) on a fresh Debian bookworm machine"
ci/test-fresh-machine.sh
step "done"
