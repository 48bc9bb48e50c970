#include "build/sampler.h"

#include <algorithm>
#include <atomic>
#include <random>
#include <ranges>

#include "build/vector_math.h"
#include "common/thread_pool.h"
#include "parquet/vector_column.h"

namespace quiver {
namespace {

constexpr int64_t kBatchRows = 8192;

// Reads the chosen rows [begin, end) of `chosen` (all inside file `f`) into
// out[begin * dim ...]; ok[k] tells whether row k had a usable vector.
Status ReadFileSample(Storage& storage, const BuildSource& f, const std::string& column, int32_t dim,
                      const std::vector<int64_t>& chosen, size_t begin, size_t end, float* out,
                      std::vector<uint8_t>* ok, std::atomic<int64_t>* read, int64_t sample_rows,
                      Progress* progress) {
  ARROW_ASSIGN_OR_RAISE(auto scanner, VectorScanner::Open(f.path, column, dim, storage));
  std::vector<float> batch;
  std::vector<RowStatus> status;
  int64_t row = 0;
  size_t next = begin;
  while (next < end) {
    ARROW_RETURN_NOT_OK(progress->Check());
    ARROW_ASSIGN_OR_RAISE(int64_t n, scanner->Next(kBatchRows, &batch, &status));
    if (n == 0) return Status::IOError("'", f.path, "' ended after ", row, " rows; its footer says ", f.rows);
    const size_t first = next;
    for (; next < end && chosen[next] < f.first_slot + row + n; ++next) {
      const int64_t i = chosen[next] - f.first_slot - row;
      (*ok)[next] = status[i] == RowStatus::kOk;
      if ((*ok)[next]) std::copy_n(batch.data() + i * dim, dim, out + next * dim);
    }
    row += n;
    const int64_t done = read->fetch_add(static_cast<int64_t>(next - first)) + static_cast<int64_t>(next - first);
    ARROW_RETURN_NOT_OK(progress->Report(QV_PHASE_SAMPLE, done, sample_rows));
  }
  return Status::OK();
}

}  // namespace

Result<Sample> ReadSample(const ScannedSources& sources, const std::string& column, Metric metric,
                          int64_t sample_rows, uint64_t seed, int32_t threads, Progress* progress) {
  const int32_t dim = sources.dim;
  const int64_t total = sources.rows_total;
  sample_rows = std::clamp<int64_t>(sample_rows, 0, total);
  // Selection sampling keeps the chosen rows in order: one forward pass per
  // file, which stops after the file's last chosen row.
  std::vector<int64_t> chosen;
  chosen.reserve(static_cast<size_t>(sample_rows));
  std::mt19937_64 rng(seed);
  std::ranges::sample(std::views::iota(int64_t{0}, total), std::back_inserter(chosen), sample_rows, rng);

  const int n_files = static_cast<int>(sources.files.size());
  std::vector<size_t> file_begin(n_files + 1);
  for (int f = 0; f < n_files; ++f) {
    file_begin[f] = static_cast<size_t>(
        std::lower_bound(chosen.begin(), chosen.end(), sources.files[f].first_slot) - chosen.begin());
  }
  file_begin[n_files] = chosen.size();

  Sample out;
  out.vectors.assign(chosen.size() * dim, 0.0f);
  std::vector<uint8_t> ok(chosen.size(), 0);
  std::atomic<int64_t> read{0};
  ARROW_RETURN_NOT_OK(progress->Report(QV_PHASE_SAMPLE, 0, sample_rows));
  ARROW_RETURN_NOT_OK(ParallelFor(n_files, threads, [&](int64_t f) -> Status {
    if (file_begin[f] == file_begin[f + 1]) return Status::OK();
    return ReadFileSample(*sources.storage, sources.files[f], column, dim, chosen, file_begin[f], file_begin[f + 1],
                          out.vectors.data(), &ok, &read, sample_rows, progress);
  }));

  // Keep the usable rows, in order.
  for (size_t k = 0; k < chosen.size(); ++k) {
    if (!ok[k]) continue;
    if (static_cast<int64_t>(k) != out.n) {
      std::copy_n(out.vectors.data() + k * dim, dim, out.vectors.data() + out.n * dim);
    }
    ++out.n;
  }
  out.vectors.resize(static_cast<size_t>(out.n) * dim);
  out.vectors.shrink_to_fit();
  if (UnitNormalised(metric)) NormalizeRows(out.vectors.data(), out.n, dim);
  return out;
}

}  // namespace quiver
