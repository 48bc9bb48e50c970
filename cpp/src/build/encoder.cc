#include "build/encoder.h"

#include <omp.h>

#include <atomic>

#include "build/omp_for.h"
#include "build/parallel_flat_index.h"
#include "build/pq_encoder.h"
#include "build/vector_math.h"
#include "parquet/vector_column.h"

namespace quiver {
namespace {

constexpr int64_t kBatchRows = 16384;

struct Shared {
  const TrainOptions& opt;
  const std::string& column;
  const ParallelFlatL2& coarse;
  const PqEncoder& pq;
  Progress* progress;
  ListSpill* spill;
  Storage* storage;
  std::atomic<int64_t> rows_done{0};
  int64_t rows_total = 0;
};

// With one file per thread this runs on the calling thread; a lone file
// spreads its batches' encoding over every thread.
void EncodeResiduals(const PqEncoder& pq, const float* residuals, int64_t n, int32_t dim, int32_t m,
                     int32_t threads, uint8_t* codes, float* squared_errors) {
  constexpr int64_t kChunk = 1024;
  if (threads <= 1 || omp_in_parallel() || n < 2 * kChunk) {
    pq.Encode(residuals, n, codes, squared_errors);
    return;
  }
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t begin = 0; begin < n; begin += kChunk) {
    pq.Encode(residuals + begin * dim, std::min(kChunk, n - begin), codes + begin * m, squared_errors + begin);
  }
}

Status EncodeFile(BuildSource* f, int32_t ordinal, Shared* s) {
  const int32_t dim = s->opt.dim, m = s->opt.pq_m;
  ARROW_ASSIGN_OR_RAISE(auto scanner, VectorScanner::Open(f->path, s->column, dim, *s->storage));
  std::vector<float> batch, residuals;
  std::vector<RowStatus> status;
  std::vector<int64_t> rows_ok, lists;
  std::vector<float> distances, errors;
  std::vector<uint8_t> codes;
  ListSpill::Appender out(s->spill);
  int64_t row = 0;
  for (;;) {
    ARROW_RETURN_NOT_OK(s->progress->Check());
    ARROW_ASSIGN_OR_RAISE(int64_t n, scanner->Next(kBatchRows, &batch, &status));
    if (n == 0) break;
    if (row + n > f->rows) {
      return Status::IOError("'", f->path, "' holds more rows than its footer says (", f->rows, ")");
    }
    // Compact the usable rows to the front of the batch.
    rows_ok.clear();
    for (int64_t i = 0; i < n; ++i) {
      switch (status[i]) {
        case RowStatus::kOk:
          if (static_cast<int64_t>(rows_ok.size()) != i) {
            std::copy_n(batch.data() + i * dim, dim, batch.data() + rows_ok.size() * dim);
          }
          rows_ok.push_back(i);
          break;
        case RowStatus::kNull: ++f->skipped.null_vector; break;
        case RowStatus::kWrongLength: ++f->skipped.wrong_length; break;
        case RowStatus::kNonFinite: ++f->skipped.non_finite; break;
      }
    }
    const int64_t k = static_cast<int64_t>(rows_ok.size());
    if (k > 0) {
      if (UnitNormalised(s->opt.metric)) NormalizeRows(batch.data(), k, dim);
      lists.resize(k);
      distances.resize(k);
      s->coarse.search(k, batch.data(), 1, distances.data(), lists.data());
      residuals.resize(static_cast<size_t>(k) * dim);
      for (int64_t i = 0; i < k; ++i) {
        const float* c = s->coarse.get_xb() + lists[i] * dim;
        for (int32_t j = 0; j < dim; ++j) residuals[i * dim + j] = batch[i * dim + j] - c[j];
      }
      codes.resize(static_cast<size_t>(k) * m);
      errors.resize(k);
      EncodeResiduals(s->pq, residuals.data(), k, dim, m, s->opt.threads, codes.data(), errors.data());
      for (int64_t i = 0; i < k; ++i) {
        f->coarse_error += distances[i];
        f->pq_error += errors[i];
      }
      for (int64_t i = 0; i < k; ++i) {
        const uint64_t key = QV_ROW_KEY(static_cast<uint32_t>(ordinal), static_cast<uint32_t>(row + rows_ok[i]));
        ARROW_RETURN_NOT_OK(out.Add(static_cast<int32_t>(lists[i]), key, codes.data() + i * m));
      }
      f->rows_indexed += k;
    }
    row += n;
    const int64_t done = s->rows_done.fetch_add(n) + n;
    ARROW_RETURN_NOT_OK(s->progress->Report(QV_PHASE_ENCODE, done, s->rows_total));
  }
  if (row != f->rows) {
    return Status::IOError("'", f->path, "' ended after ", row, " rows; its footer says ", f->rows);
  }
  return out.Flush();
}

}  // namespace

Status EncodeSources(ScannedSources* sources, const std::string& column, const TrainOptions& opt,
                     const Quantizers& q, ListSpill* spill, Progress* progress,
                     int32_t first_ordinal) {
  ParallelFlatL2 coarse(opt.dim, opt.threads);
  coarse.add(opt.nlist, q.centroids.data());
  coarse.Prepare();
  PqEncoder pq(opt.dim, opt.pq_m, q.codebooks.data());

  Shared shared{opt, column, coarse, pq, progress, spill, sources->storage};
  shared.rows_total = sources->rows_total;
  ARROW_RETURN_NOT_OK(progress->Report(QV_PHASE_ENCODE, 0, sources->rows_total));

  const int n_files = static_cast<int>(sources->files.size());
  // One file per thread; a lone file gets every thread inside its batches
  // (the coarse search and FAISS's encoder parallelise when not nested).
  const int outer = std::max(1, std::min(opt.threads, n_files));
  return OmpFor(n_files, outer, [&](int64_t i) {
    return EncodeFile(&sources->files[i], first_ordinal + static_cast<int32_t>(i), &shared);
  });
}

}  // namespace quiver
