// The approximate stage of a search: probe the nearest IVF partitions, build
// the PQ lookup tables for the query and scan the partitions' codes with the
// ADC kernel, keeping the best candidates that the row filter lets through
// (and none of a file removed from the index).
#pragma once

#include <cstdint>
#include <vector>

#include "common/metric.h"
#include "common/status.h"
#include "index/index_reader.h"
#include "kernels/kernels.h"
#include "search/row_filter.h"
#include "kernels/top_k.h"

namespace quiver {

class IvfPqScan {
 public:
  // `index` must outlive this object. Lays the PQ codebooks out
  // dimension-major once, so lookup tables are built 16 centroids at a time.
  explicit IvfPqScan(const IndexReader& index, const Kernels& kernels = ActiveKernels());

  // Scratch space of one thread; reuse it across queries.
  struct Workspace {
    std::vector<float> coarse;    // distance to each centroid
    std::vector<int32_t> probes;  // the lists probed
    std::vector<float> residual;  // query minus a centroid
    std::vector<float> lut;       // m * 256
    std::vector<float> dists;     // ADC distances of one list
  };

  // Pushes the PQ distances of the rows in the `nprobes` nearest lists into
  // `top`. `query` is already prepared (finite, unit length for COSINE).
  // Distances follow the metric's convention: L2 squared, COSINE 1 - dot,
  // INNER_PRODUCT -dot, each against the PQ reconstruction of the row.
  Status Scan(const float* query, int32_t nprobes, const RowFilter* filter, TopK* top,
              Workspace* ws) const;

 private:
  const IndexReader& index_;
  const Kernels& kernels_;
  int32_t dim_, nlist_, m_, dsub_;
  Metric metric_;
  std::vector<float> codebooks_t_;  // per sub-quantizer: dsub x 256, dimension-major
  std::vector<uint8_t> removed_;    // per file ordinal: 1 if removed from the index
  bool any_removed_ = false;
};

}  // namespace quiver
