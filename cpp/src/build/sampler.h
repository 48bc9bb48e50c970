// The SAMPLE phase: a uniform random sample of rows (seeded) over all files,
// read in one pass per file that stops after the file's last sampled row,
// files in parallel.
// Sampled rows without a usable vector are left out, so the sample holds
// usable vectors only.
#pragma once

#include <cstdint>
#include <vector>

#include "build/progress.h"
#include "common/metric.h"
#include "build/source_files.h"

namespace quiver {

struct Sample {
  std::vector<float> vectors;  // n * dim, normalised for COSINE
  int64_t n = 0;
};

Result<Sample> ReadSample(const ScannedSources& sources, const std::string& column, Metric metric,
                          int64_t sample_rows, uint64_t seed, int32_t threads, Progress* progress);

}  // namespace quiver
