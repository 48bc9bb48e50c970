#!/usr/bin/env bash
# Runs a benchmark class of spark/cli (io.quiver.cli.bench) after building the
# modules, native library included; the other arguments go to the benchmark:
#   spark/run-benchmark.sh io.quiver.cli.bench.JoinBenchmark --help
# spark/join-benchmark.sh and spark/build-benchmark.sh name the class for you.
# QUIVER_BENCH_HEAP sets the JVM heap (default 8g).
set -euo pipefail
cd "$(dirname "$0")/.."
main=${1:?usage: spark/run-benchmark.sh MAIN_CLASS [ARG...]}
shift
export JAVA_HOME=$(ci/find-jdk.sh)
mkdir -p spark/cli/target
if ! mvn -B -q -ntp -Dstyle.color=never -pl spark/cli -am package -DskipTests > spark/cli/target/benchmark-build.log 2>&1; then
  tail -40 spark/cli/target/benchmark-build.log >&2
  exit 1
fi
flags=$(sed -n 's:.*<quiver.jvm.flags>\(.*\)</quiver.jvm.flags>.*:\1:p' pom.xml)
jar=$(ls spark/cli/target/quiver-cli-*.jar | head -1)
# shellcheck disable=SC2086
exec "$JAVA_HOME/bin/java" $flags -Xmx"${QUIVER_BENCH_HEAP:-8g}" \
  -cp "$jar:$(cat spark/cli/target/classpath.txt)" "$main" "$@"
