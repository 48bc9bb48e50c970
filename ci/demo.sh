#!/usr/bin/env bash
# The README's first command: sets up a fresh machine, builds everything (the
# native library included) and runs `./quiver demo`. Arguments go to the demo:
#   ci/demo.sh                   200,000 x 128-d sample, 1,000 queries
#   ci/demo.sh --rows 1000000    a larger sample (see ./quiver demo --help)
#
# The jar it builds carries the linux-aarch64 library too when the build root
# has the cross toolchain (ci/install-deps.sh --aarch64, which ci/test.sh runs);
# otherwise it carries this machine's platform only, and says so.
set -euo pipefail
cd "$(dirname "$0")/.."

printf '== set-up (ci/install-deps.sh)\n'
ci/install-deps.sh
JAVA_HOME=$(ci/find-jdk.sh)
export JAVA_HOME

mvn_opts=(-B -ntp package -DskipTests)
if ! ci/in-build-root.sh bash -c 'command -v aarch64-linux-gnu-g++-16' >/dev/null; then
  printf 'note: no aarch64 cross toolchain in the build root: the jar carries the linux-x86-64 library only\n'
  printf '      (ci/install-deps.sh --aarch64 adds it)\n'
  mvn_opts+=(-Dquiver.native.aarch64.skip=true)
fi

printf '\n== build (native library, Java handle, Spark module, quiver command)\n'
mkdir -p target
log=target/demo-build.log
start=$SECONDS
# A line per module and per build step, so that a long step is never silent;
# everything else goes to the log.
set +e
mvn "${mvn_opts[@]}" 2>&1 | tee "$log" | while IFS= read -r line; do
  case "$line" in
    "[INFO] Building Quiver"*|"[INFO] --- "*|build:*)
      printf '  %4ds  %s\n' $((SECONDS - start)) "${line#\[INFO\] }" ;;
    \[*/*\]\ *)  # ninja: [done/total] compiling the native library; every tenth step
      step=${line%%]*}; step=${step#[}
      if [ $((${step%/*} % 10)) = 0 ] || [ "${step%/*}" = "${step#*/}" ]; then
        printf '  %4ds  native build %s\n' $((SECONDS - start)) "$step"
      fi ;;
  esac
done
status=${PIPESTATUS[0]}
set -e
if [ "$status" != 0 ]; then
  tail -40 "$log" >&2
  echo "demo: the build failed; the full log is in $log" >&2
  exit 1
fi
printf '  built in %d s\n' $((SECONDS - start))

printf '\n== ./quiver demo %s\n' "$*"
exec ./quiver demo "$@"
