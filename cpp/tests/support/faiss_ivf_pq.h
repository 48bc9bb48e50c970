// An IndexReader over a FAISS IndexIVFPQ trained in memory: lets the search
// side be tested against FAISS, the reference implementation of IVF-PQ.
#pragma once

#include <faiss/IndexFlat.h>
#include <faiss/IndexIVFPQ.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "index/index_reader.h"

namespace quiver::testing {

// Clusters whose points vary along a few random directions plus a little
// isotropic noise, so that nearest neighbours are well separated.
std::vector<float> ClusteredData(int64_t n, int32_t dim, uint32_t seed);
void NormalizeRows(std::vector<float>& x, int32_t dim);
// "L2", "Cosine", "InnerProduct": names for parameterised tests.
std::string MetricName(int32_t metric);

class FaissIvfPqReader : public IndexReader {
 public:
  // Trains on and indexes the rows of `data` (n * dim) whose keys[i] is not
  // QV_NO_ROW; `files` is what files() reports. COSINE normalises the rows.
  FaissIvfPqReader(const std::vector<float>& data, const std::vector<uint64_t>& keys, int32_t dim,
                   int32_t nlist, int32_t m, int32_t metric, std::vector<SourceFile> files = {});

  const IndexParams& params() const override { return params_; }
  const SkipCounts& skipped() const override { return skipped_; }
  int64_t rows_indexed() const override { return rows_; }
  int64_t index_bytes() const override { return 0; }
  int32_t format_version() const override { return 1; }
  const std::vector<SourceFile>& files() const override { return files_; }
  const float* centroids() const override { return quantizer_->get_xb(); }
  const float* pq_codebooks() const override { return ivf_->pq.centroids.data(); }
  int32_t segments() const override { return 1; }
  Result<PostingList> list(int32_t segment, int32_t l) const override;
  bool file_removed(int32_t) const override { return false; }
  Status CheckFileFresh(int32_t) const override { return Status::OK(); }

  const faiss::IndexIVFPQ& faiss_index() const { return *ivf_; }
  // Every indexed row's key and PQ reconstruction (centroid + residual).
  std::vector<std::pair<uint64_t, std::vector<float>>> Reconstructions() const;

 private:
  IndexParams params_;
  SkipCounts skipped_;
  int64_t rows_ = 0;
  std::vector<SourceFile> files_;
  std::unique_ptr<faiss::IndexFlat> quantizer_;
  std::unique_ptr<faiss::IndexIVFPQ> ivf_;
  std::vector<uint64_t> row_keys_;
  std::vector<std::vector<uint64_t>> keys_;
};

}  // namespace quiver::testing
