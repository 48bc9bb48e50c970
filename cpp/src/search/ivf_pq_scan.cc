#include "search/ivf_pq_scan.h"

#include <algorithm>
#include <numeric>

namespace quiver {

IvfPqScan::IvfPqScan(const IndexReader& index, const Kernels& kernels)
    : index_(index),
      kernels_(kernels),
      dim_(index.params().dim),
      nlist_(index.params().nlist),
      m_(index.params().pq_m),
      dsub_(index.params().dim / index.params().pq_m),
      metric_(index.params().metric) {
  const int32_t n_files = static_cast<int32_t>(index.files().size());
  removed_.assign(n_files, 0);
  for (int32_t f = 0; f < n_files; ++f) {
    if (index.file_removed(f)) {
      removed_[f] = 1;
      any_removed_ = true;
    }
  }
  const float* cb = index.pq_codebooks();
  codebooks_t_.resize(static_cast<size_t>(m_) * 256 * dsub_);
  for (int32_t j = 0; j < m_; ++j) {
    float* block = codebooks_t_.data() + static_cast<size_t>(j) * 256 * dsub_;
    for (int32_t c = 0; c < 256; ++c) {
      for (int32_t d = 0; d < dsub_; ++d) {
        block[d * 256 + c] = cb[(static_cast<size_t>(j) * 256 + c) * dsub_ + d];
      }
    }
  }
}

Status IvfPqScan::Scan(const float* query, int32_t nprobes, const RowFilter* filter, TopK* top,
                       Workspace* ws) const {
  const bool l2 = metric_ == Metric::kL2;
  const float* centroids = index_.centroids();

  // Coarse probe: the metric's own distance to every centroid, so that the
  // lists most likely to hold the best rows come first.
  ws->coarse.resize(nlist_);
  if (l2) {
    kernels_.l2_sqr_batch(query, centroids, nlist_, dim_, ws->coarse.data());
  } else {
    kernels_.dot_batch(query, centroids, nlist_, dim_, ws->coarse.data());
    for (auto& d : ws->coarse) d = -d;
  }
  nprobes = std::min(nprobes, nlist_);
  ws->probes.resize(nlist_);
  std::iota(ws->probes.begin(), ws->probes.end(), 0);
  auto closer = [&](int32_t a, int32_t b) {
    return ws->coarse[a] < ws->coarse[b] || (ws->coarse[a] == ws->coarse[b] && a < b);
  };
  std::partial_sort(ws->probes.begin(), ws->probes.begin() + nprobes, ws->probes.end(), closer);

  // Inner product and cosine: <q, c + r> = <q, c> + <q, r>, so one table
  // serves every list and the list only shifts the bias. L2 needs the
  // residual q - c, so each list gets its own table.
  ws->lut.resize(static_cast<size_t>(m_) * 256);
  if (!l2) {
    for (int32_t j = 0; j < m_; ++j) {
      float* t = ws->lut.data() + j * 256;
      kernels_.dot_transposed(query + j * dsub_, codebooks_t_.data() + static_cast<size_t>(j) * 256 * dsub_,
                              256, dsub_, t);
      for (int c = 0; c < 256; ++c) t[c] = -t[c];
    }
  }
  ws->residual.resize(dim_);

  for (int32_t p = 0; p < nprobes; ++p) {
    const int32_t list_id = ws->probes[p];
    bool table_ready = false;
    float bias = 0.0f;
    // The list's rows in every segment: one table and bias serve them all.
    for (int32_t g = 0; g < index_.segments(); ++g) {
      ARROW_ASSIGN_OR_RAISE(PostingList list, index_.list(g, list_id));
      if (list.size == 0) continue;
      if (!table_ready) {
        table_ready = true;
        if (l2) {
          const float* c = centroids + static_cast<size_t>(list_id) * dim_;
          for (int32_t d = 0; d < dim_; ++d) ws->residual[d] = query[d] - c[d];
          for (int32_t j = 0; j < m_; ++j) {
            kernels_.l2_sqr_transposed(ws->residual.data() + j * dsub_,
                                       codebooks_t_.data() + static_cast<size_t>(j) * 256 * dsub_, 256,
                                       dsub_, ws->lut.data() + j * 256);
          }
        } else {
          // coarse[] holds -<q, c>; the codes add -<q, residual>.
          switch (metric_) {
            case Metric::kCosine: bias = 1.0f + ws->coarse[list_id]; break;
            case Metric::kInnerProduct: bias = ws->coarse[list_id]; break;
            case Metric::kL2: break;  // the branch above
          }
        }
      }
      ws->dists.resize(list.size);
      kernels_.adc_scan(list.codes, list.size, m_, ws->lut.data(), bias, ws->dists.data());
      const float* dists = ws->dists.data();
      float bound = top->Bound();
      for (int64_t i = 0; i < list.size; ++i) {
        if (dists[i] > bound) continue;
        const uint64_t key = list.keys[i];
        if (!top->Accepts(dists[i], key)) continue;
        if (any_removed_ && removed_[QV_ROW_KEY_FILE(key)]) continue;
        if (filter != nullptr && filter->Contains(key)) continue;
        top->Push(dists[i], key);
        bound = top->Bound();
      }
    }
  }
  return Status::OK();
}

}  // namespace quiver
