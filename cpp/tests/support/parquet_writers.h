// Writes a generated corpus of Parquet files for tests: clustered vectors in
// any layout of vector_files.h, several files and row groups, rows whose
// vector is null, of the wrong length or not finite at chosen intervals,
// and (for the layouts Arrow writes) payload columns of several types. The
// returned Corpus holds the vectors as a reader decodes them, so tests can
// compare exactly.
#pragma once

#include <arrow/result.h>
#include <parquet/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "parquet/vector_column.h"
#include "support/vector_files.h"

namespace quiver::testing {

struct CorpusSpec {
  VectorLayoutKind layout = VectorLayoutKind::kArrowList;
  std::string column = "embedding";
  int32_t dim = 16;
  int files = 2;
  int64_t rows_per_file = 500;
  int64_t row_group_rows = 128;
  // Row g (counting across files) gets a defect when g % every == every - 1;
  // 0 disables. A layout that cannot hold a defect ignores it.
  int64_t null_every = 0;
  int64_t wrong_length_every = 0;
  int64_t non_finite_every = 0;
  // Payload columns (Arrow layouts only): id int64, part int32, name utf8,
  // score double (nullable), flag bool, ts timestamp[us], tags list<utf8>,
  // info struct<a: int32, b: utf8>.
  bool payload = true;
  int clusters = 8;
  float cluster_spread = 0.3f;  // within-cluster standard deviation
  uint64_t seed = 1;
  parquet::Compression::type compression = parquet::Compression::SNAPPY;
  std::string file_prefix = "part-";
};

struct Corpus {
  std::vector<std::string> paths;
  int32_t dim = 0;
  std::vector<std::vector<float>> vectors;      // per file: rows * dim (zeros where not kOk)
  std::vector<std::vector<RowStatus>> status;   // per file: rows
  int64_t rows_total = 0;
  int64_t usable = 0;
  int64_t nulls = 0;
  int64_t wrong_length = 0;
  int64_t non_finite = 0;

  const float* row(size_t file, int64_t r) const { return vectors[file].data() + r * dim; }
};

arrow::Result<Corpus> WriteCorpus(const std::string& dir, const CorpusSpec& spec);

// Vectors drawn around `clusters` random centres (deterministic in `seed`).
std::vector<float> ClusteredVectors(int64_t n, int32_t dim, int clusters, float spread, uint64_t seed);

}  // namespace quiver::testing
