#!/usr/bin/env bash
# The Java binding's per-call overhead: single-query searches through
# io.quiver.QuiverIndex against the same searches from C++ on the same index.
#   ci/bench-java.sh [options of io.quiver.bench.SearchOverheadBench]
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA_HOME=$(ci/find-jdk.sh)
export JAVA_HOME
ci/build.sh >/dev/null 2>&1 || ci/build.sh
mvn -B -q -ntp -pl bindings test-compile >/dev/null 2>&1 || mvn -B -q -ntp -pl bindings test-compile
cp_file=bindings/target/bench.classpath
mvn -B -q -ntp -pl bindings dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$PWD/$cp_file" >/dev/null
flags=$(mvn -B -q -ntp help:evaluate -Dexpression=quiver.jvm.flags -DforceStdout -N 2>/dev/null | sed 's/\x1b\[[0-9;]*m//g')
# The handle loads the library of the same build the C++ program is linked from
# (build/, not the jar's), so that both sides run the same engine code.
# shellcheck disable=SC2086
exec nice "$JAVA_HOME/bin/java" $flags -Xmx2g -Dquiver.native.lib="$PWD/build/cpp/libquiver.so" \
  -cp "bindings/target/classes:bindings/target/test-classes:$(cat $cp_file)" \
  io.quiver.bench.SearchOverheadBench "$@"
