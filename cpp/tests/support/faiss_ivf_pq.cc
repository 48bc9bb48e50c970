#include "support/faiss_ivf_pq.h"

#include <omp.h>

#include <cmath>
#include <random>

namespace quiver::testing {

std::vector<float> ClusteredData(int64_t n, int32_t dim, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> g(0.0f, 1.0f);
  const int clusters = 10, sub = 4;
  std::vector<float> centers(clusters * dim), basis(clusters * sub * dim);
  for (auto& c : centers) c = 4.0f * g(rng);
  for (auto& b : basis) b = g(rng);
  std::vector<float> x(size_t(n) * dim);
  for (int64_t i = 0; i < n; ++i) {
    const int c = static_cast<int>(i % clusters);
    float coef[sub];
    for (auto& a : coef) a = g(rng);
    for (int d = 0; d < dim; ++d) {
      float v = centers[c * dim + d] + 0.05f * g(rng);
      for (int s = 0; s < sub; ++s) v += coef[s] * basis[(c * sub + s) * dim + d];
      x[size_t(i) * dim + d] = v;
    }
  }
  return x;
}

void NormalizeRows(std::vector<float>& x, int32_t dim) {
  for (size_t i = 0; i < x.size() / dim; ++i) {
    double s = 0;
    for (int d = 0; d < dim; ++d) s += double(x[i * dim + d]) * x[i * dim + d];
    if (s == 0) continue;
    const float inv = float(1.0 / std::sqrt(s));
    for (int d = 0; d < dim; ++d) x[i * dim + d] *= inv;
  }
}

std::string MetricName(int32_t metric) {
  switch (metric) {
    case QV_METRIC_L2: return "L2";
    case QV_METRIC_COSINE: return "Cosine";
    default: return "InnerProduct";
  }
}

FaissIvfPqReader::FaissIvfPqReader(const std::vector<float>& data, const std::vector<uint64_t>& keys,
                                   int32_t dim, int32_t nlist, int32_t m, int32_t metric,
                                   std::vector<SourceFile> files)
    : files_(std::move(files)) {
  params_.dim = dim;
  params_.metric = static_cast<Metric>(metric);
  params_.nlist = nlist;
  params_.pq_m = m;
  params_.vector_column = "v";
  std::vector<float> x;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (keys[i] == QV_NO_ROW) continue;
    x.insert(x.end(), data.begin() + i * dim, data.begin() + (i + 1) * dim);
    row_keys_.push_back(keys[i]);
  }
  rows_ = static_cast<int64_t>(row_keys_.size());
  if (metric == QV_METRIC_COSINE) NormalizeRows(x, dim);
  const faiss::MetricType mt = metric == QV_METRIC_L2 ? faiss::METRIC_L2 : faiss::METRIC_INNER_PRODUCT;
  if (mt == faiss::METRIC_L2) {
    quantizer_ = std::make_unique<faiss::IndexFlatL2>(dim);
  } else {
    quantizer_ = std::make_unique<faiss::IndexFlatIP>(dim);
  }
  ivf_ = std::make_unique<faiss::IndexIVFPQ>(quantizer_.get(), dim, nlist, m, 8, mt);
  ivf_->cp.seed = 7;
  ivf_->cp.niter = 10;
  ivf_->pq.cp.seed = 7;
  ivf_->pq.cp.niter = 10;
  ivf_->pq.cp.min_points_per_centroid = 1;  // small corpora on purpose
  // OpenBLAS's threads and FAISS's OpenMP threads slow each other down badly
  // on a small machine; these corpora need no threads at all.
  const int omp_threads = omp_get_max_threads();
  omp_set_num_threads(1);
  ivf_->train(rows_, x.data());
  std::vector<faiss::idx_t> ids(rows_);
  for (int64_t i = 0; i < rows_; ++i) ids[i] = i;
  ivf_->add_with_ids(rows_, x.data(), ids.data());
  omp_set_num_threads(omp_threads);
  keys_.resize(nlist);
  for (int l = 0; l < nlist; ++l) {
    const faiss::idx_t* lid = ivf_->invlists->get_ids(l);
    for (size_t i = 0; i < ivf_->invlists->list_size(l); ++i) keys_[l].push_back(row_keys_[lid[i]]);
  }
}

Result<PostingList> FaissIvfPqReader::list(int32_t segment, int32_t l) const {
  if (segment != 0) return Status::Invalid("segment ", segment, " out of range [0, 1)");
  PostingList p;
  p.size = static_cast<int64_t>(ivf_->invlists->list_size(l));
  p.codes = ivf_->invlists->get_codes(l);
  p.keys = keys_[l].data();
  return p;
}

std::vector<std::pair<uint64_t, std::vector<float>>> FaissIvfPqReader::Reconstructions() const {
  std::vector<std::pair<uint64_t, std::vector<float>>> out;
  const int32_t dim = params_.dim;
  for (int l = 0; l < params_.nlist; ++l) {
    const uint8_t* codes = ivf_->invlists->get_codes(l);
    for (size_t i = 0; i < ivf_->invlists->list_size(l); ++i) {
      std::vector<float> r(dim);
      ivf_->pq.decode(codes + i * ivf_->pq.code_size, r.data());
      for (int d = 0; d < dim; ++d) r[d] += quantizer_->get_xb()[l * dim + d];
      out.emplace_back(keys_[l][i], std::move(r));
    }
  }
  return out;
}

}  // namespace quiver::testing
