// The SCAN phase: every source file's fingerprint, row count and vector
// dimension, before any vector is read in bulk. Fingerprints are taken first
// so that a file changed during the build is caught as stale at open.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "build/progress.h"
#include "common/status.h"
#include "index/index_reader.h"
#include "parquet/fingerprint.h"

namespace quiver {

struct BuildSource {
  std::string path;
  Fingerprint fingerprint;
  int64_t rows = 0;
  int64_t first_slot = 0;  // rows of all earlier files
  int64_t rows_indexed = 0;
  SkipCounts skipped;
  // Sums over the encoded rows of the squared distance to their list's
  // centroid and of the PQ reconstruction's squared error: how well the
  // quantizers fit this file (see EncodingError).
  double coarse_error = 0;
  double pq_error = 0;
};

struct ScannedSources {
  Storage* storage = nullptr;  // where the files are read from
  std::vector<BuildSource> files;
  int64_t rows_total = 0;
  int32_t dim = 0;
};

// Invalid, naming both files, when two files disagree on the dimension;
// Invalid when no file holds a single vector to learn it from.
Result<ScannedSources> ScanSources(const std::vector<std::string>& paths, const std::string& column,
                                   Progress* progress, Storage& storage);

}  // namespace quiver
