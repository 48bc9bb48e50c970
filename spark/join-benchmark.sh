#!/usr/bin/env bash
# Runs the k-nearest join benchmark (io.quiver.cli.bench.JoinBenchmark) after
# building the modules, native library included. Arguments go to the benchmark:
#   spark/join-benchmark.sh --scale 100000x100 --scale 1000000x1000
#   spark/join-benchmark.sh --help
# QUIVER_BENCH_HEAP sets the JVM heap (default 8g).
exec "$(dirname "$0")/run-benchmark.sh" io.quiver.cli.bench.JoinBenchmark "$@"
