// Build parameters as the caller gives them (0 = choose), and the rules that
// turn them into the values a build uses.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "common/metric.h"
#include "common/status.h"
#include "parquet/storage.h"
#include "quiver/quiver.h"

namespace quiver {

struct BuildParams {
  std::string vector_column = "embedding";
  Metric metric = Metric::kL2;
  int32_t nlist = 0;
  int32_t pq_m = 0;
  int32_t pq_bits = 8;
  int64_t train_sample = 0;
  uint64_t seed = 42;
  int32_t threads = 0;
  // What the caller took the files from (a table and its version), recorded
  // in the manifest so that a reader can tell which snapshot it answers from.
  std::string source;
  // Where the files are read from; null: the local file system, whose paths
  // (files or directories) are resolved and expanded. Other storages take
  // each path as one file, as given.
  std::shared_ptr<Storage> storage;
  // Train nothing: encode with the quantizers of the index in this directory
  // (its metric, nlist and pq_m; the fields above are then ignored), so that
  // the result is that index's lists over these files. Empty: train.
  std::string quantizers_from;
};

// qv_build_params_set_source's limit.
inline constexpr size_t kMaxSourceBytes = 64 * 1024;

// Checks what can be checked without data (bits, signs, sizes).
Status ValidateBuildParams(const BuildParams& p);

// About 4 * sqrt(rows), at least 1 and at most rows.
int32_t DefaultNlist(int64_t rows);
// dim / 4 rounded down to a divisor of dim, at most 64, at least 1.
int32_t DefaultPqM(int32_t dim);
// max(32 * nlist, 100000), at most rows. Coarse k-means needs a few dozen
// points per centroid; more only costs time, and the sample is held in RAM.
int64_t DefaultTrainSample(int32_t nlist, int64_t rows);

}  // namespace quiver
