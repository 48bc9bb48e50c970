// Generated benchmark data whose nearest neighbours mean something, as in
// SIFT or text embeddings: clusters whose within-cluster variation spans a
// random low-dimensional subspace (about 16 dimensions) plus small isotropic
// noise. (In a plain isotropic Gaussian mixture in 128 dimensions the
// neighbours within a cluster are near-ties, and recall figures say nothing.)
//
// Every row is a pure function of (spec, row index), so a corpus can be
// written in parallel, re-created exactly, and held-out queries drawn from
// the same distribution with indices past the corpus.
#pragma once

#include <arrow/result.h>
#include <arrow/status.h>

#include <cstdint>
#include <string>
#include <vector>

namespace quiver::bench {

struct DatagenSpec {
  int64_t rows = 1000000;
  int32_t dim = 128;
  int files = 8;
  int clusters = 1024;
  int subspace_dim = 16;
  float centre_scale = 1.0f;     // standard deviation of centre coordinates
  float subspace_scale = 1.0f;   // standard deviation along each subspace axis
  float noise = 0.05f;           // isotropic noise per coordinate
  uint64_t seed = 2024;
  int64_t row_group_rows = 131072;
  bool page_index = true;        // as Spark 3.5 writes it; false for files without one
  std::string column = "embedding";

  std::string Describe() const;
};

class VectorDistribution {
 public:
  explicit VectorDistribution(const DatagenSpec& spec);
  // Rows [first, first + n) into out[n * dim].
  void Rows(int64_t first, int64_t n, float* out) const;

 private:
  DatagenSpec spec_;
  std::vector<float> centres_;  // clusters * dim
  std::vector<float> bases_;    // clusters * subspace_dim * dim
  std::vector<float> scales_;   // clusters: spread of each cluster
};

// Writes spec.files Parquet files into `dir` the way Spark writes a
// DataFrame with columns (id bigint, embedding array<float>): a 3-level LIST
// of nullable floats, snappy. Returns the file paths. Reuses `dir` when a
// previous run wrote the same spec there.
arrow::Result<std::vector<std::string>> WriteDataset(const std::string& dir, const DatagenSpec& spec,
                                                     bool verbose);

// `n` queries from the same distribution, not in the corpus.
std::vector<float> HeldOutQueries(const DatagenSpec& spec, int64_t n);

}  // namespace quiver::bench
