#!/usr/bin/env bash
# The README's first command: sets up a fresh machine, builds everything (the
# native library included) and runs `./quiver demo`. Arguments go to the demo:
#   ci/demo.sh                   200,000 x 128-d sample, 1,000 queries
#   ci/demo.sh --rows 1000000    a larger sample (see ./quiver demo --help)
set -euo pipefail
cd "$(dirname "$0")/.."

ci/install-deps.sh
printf '\n== build (native library, Java handle, Spark module, quiver command)\n'
JAVA_HOME=$(ci/find-jdk.sh)
export JAVA_HOME
mkdir -p target
if ! mvn -B -q -ntp package -DskipTests > target/demo-build.log 2>&1; then
  tail -40 target/demo-build.log >&2
  echo "demo: the build failed; the full log is in target/demo-build.log" >&2
  exit 1
fi
printf '\n== ./quiver demo %s\n' "$*"
exec ./quiver demo "$@"
