#include "build/sampler.h"

#include <algorithm>
#include <random>
#include <ranges>

#include "build/vector_math.h"
#include "parquet/vector_column.h"

namespace quiver {
namespace {
constexpr int64_t kBatchRows = 8192;
}

Result<Sample> ReadSample(const ScannedSources& sources, const std::string& column, int32_t metric,
                          int64_t sample_rows, uint64_t seed, Progress* progress) {
  const int32_t dim = sources.dim;
  const int64_t total = sources.rows_total;
  sample_rows = std::clamp<int64_t>(sample_rows, 0, total);
  // Selection sampling keeps the chosen rows in order: one forward pass.
  std::vector<int64_t> chosen;
  chosen.reserve(static_cast<size_t>(sample_rows));
  std::mt19937_64 rng(seed);
  std::ranges::sample(std::views::iota(int64_t{0}, total), std::back_inserter(chosen), sample_rows, rng);

  Sample out;
  out.vectors.reserve(static_cast<size_t>(sample_rows) * dim);
  std::vector<float> batch;
  std::vector<RowStatus> status;
  size_t next = 0;  // next entry of `chosen`
  int64_t read = 0;
  ARROW_RETURN_NOT_OK(progress->Report(QV_PHASE_SAMPLE, 0, sample_rows));
  for (const BuildSource& f : sources.files) {
    const int64_t end_slot = f.first_slot + f.rows;
    if (next >= chosen.size() || chosen[next] >= end_slot) continue;
    ARROW_ASSIGN_OR_RAISE(auto scanner, VectorScanner::Open(f.path, column, dim));
    int64_t row = 0;
    while (next < chosen.size() && chosen[next] < end_slot) {
      ARROW_ASSIGN_OR_RAISE(int64_t n, scanner->Next(kBatchRows, &batch, &status));
      if (n == 0) {
        return Status::IOError("'", f.path, "' ended after ", row, " rows; its footer says ", f.rows);
      }
      for (; next < chosen.size() && chosen[next] < f.first_slot + row + n; ++next) {
        const int64_t i = chosen[next] - f.first_slot - row;
        if (status[i] == RowStatus::kOk) {
          out.vectors.insert(out.vectors.end(), batch.begin() + i * dim, batch.begin() + (i + 1) * dim);
          ++out.n;
        }
        ++read;
      }
      row += n;
      ARROW_RETURN_NOT_OK(progress->Report(QV_PHASE_SAMPLE, read, sample_rows));
    }
  }
  if (metric == QV_METRIC_COSINE) NormalizeRows(out.vectors.data(), out.n, dim);
  return out;
}

}  // namespace quiver
