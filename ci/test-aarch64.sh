#!/usr/bin/env bash
# Cross-builds the engine for linux-aarch64 and runs its tests under qemu-user.
#
#   ci/test-aarch64.sh          the CI subset (below)
#   ci/test-aarch64.sh --full   every test of the suite
#
# Emulation makes the compute-heavy tests many times slower than native: FAISS
# training (the Trainer suite, the two build tests that train repeatedly), the
# sweeps over the whole parquet-testing corpus, and the repeats of the search
# suites for the cosine and inner-product metrics each take minutes under
# qemu. They run natively on x86-64 in CI, through the same portable code. The
# CI subset keeps everything else, in particular the kernels (NEON against
# scalar, bit for bit, for L2 and dot products), Parquet decoding of every
# layout, the index format, build, search and refinement with the L2 metric,
# and the C ABI smoke test.
set -euo pipefail
cd "$(dirname "$0")/.."

# ctest -E regex of the tests left out of the CI run (gtest names Suite.Test,
# parameterized ones Prefix/Suite.Test/Param followed by "  # GetParam() = ...").
CI_EXCLUDE='^(Trainer\.|[A-Za-z]+\.ParquetTestingCorpus$|Build\.(PqReconstructionBeatsRandomCodebooks|ReproducibleWhateverTheThreadCount)$|Metrics/[^ ]+/(Cosine|InnerProduct) )'

full=0
for a in "$@"; do
  case "$a" in
    --full) full=1 ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) echo "test-aarch64: unknown option '$a'" >&2; exit 2 ;;
  esac
done

ci/install-deps.sh --aarch64
step() { printf '\n== %s\n' "$*"; }

step "aarch64 cross build"
start=$SECONDS
ci/build.sh --aarch64
echo "aarch64 cross build: $((SECONDS - start)) s"

# ctest runs each test through qemu-aarch64-static (the toolchain file's
# CMAKE_CROSSCOMPILING_EMULATOR).
filter=()
if [ "$full" = 0 ]; then filter=(-E "$CI_EXCLUDE"); fi
step "aarch64 tests under qemu-user${filter:+ (CI subset)}"
start=$SECONDS
ci/in-build-root.sh ctest --test-dir build-aarch64 --no-tests=error --output-on-failure -j 2 --timeout 900 "${filter[@]}"
echo "aarch64 tests under qemu: $((SECONDS - start)) s"
