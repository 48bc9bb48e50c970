#!/usr/bin/env bash
# Runs the build benchmark (io.quiver.cli.bench.BuildBenchmark) after
# building the modules, native library included. Arguments go to the benchmark:
#   spark/build-benchmark.sh --rows 10000000 --append-rows 1000000
#   spark/build-benchmark.sh --help
# QUIVER_BENCH_HEAP sets the JVM heap (default 8g).
set -euo pipefail
cd "$(dirname "$0")/.."
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
  -cp "$jar:$(cat spark/cli/target/classpath.txt)" io.quiver.cli.bench.BuildBenchmark "$@"
