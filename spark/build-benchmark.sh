#!/usr/bin/env bash
# Runs the build benchmark (io.quiver.cli.bench.BuildBenchmark) after building
# the modules, native library included. Arguments go to the benchmark:
#   spark/build-benchmark.sh --rows 10000000 --append-rows 1000000
#   spark/build-benchmark.sh --help
# QUIVER_BENCH_HEAP sets the JVM heap (default 8g).
exec "$(dirname "$0")/run-benchmark.sh" io.quiver.cli.bench.BuildBenchmark "$@"
