#include "build/source_files.h"

#include "parquet/vector_column.h"
#include "quiver/quiver.h"

namespace quiver {
namespace {

// Rows read, at most, to learn the dimension of a variable-length column.
constexpr int64_t kProbeRows = 4096;

Result<int32_t> ProbeDimension(VectorScanner* scanner) {
  std::vector<float> vectors;
  std::vector<RowStatus> status;
  while (scanner->dim() == 0) {
    ARROW_ASSIGN_OR_RAISE(int64_t n, scanner->Next(kProbeRows, &vectors, &status));
    if (n == 0) break;
  }
  return scanner->dim();
}

}  // namespace

Result<ScannedSources> ScanSources(const std::vector<std::string>& paths, const std::string& column,
                                   Progress* progress, Storage& storage) {
  ScannedSources out;
  out.storage = &storage;
  std::string dim_file;
  ARROW_RETURN_NOT_OK(progress->Report(QV_PHASE_SCAN, 0, static_cast<int64_t>(paths.size())));
  for (const std::string& path : paths) {
    BuildSource s;
    s.path = path;
    ARROW_ASSIGN_OR_RAISE(s.fingerprint, ComputeFingerprint(storage, path));
    ARROW_ASSIGN_OR_RAISE(auto scanner, VectorScanner::Open(path, column, 0, storage));
    s.rows = scanner->num_rows();
    if (s.rows < 0 || s.rows > static_cast<int64_t>(UINT32_MAX)) {
      return Unsupported("'" + path + "' has " + std::to_string(s.rows) +
                         " rows; a file may hold at most 2^32 - 1 rows");
    }
    s.first_slot = out.rows_total;
    out.rows_total += s.rows;
    ARROW_ASSIGN_OR_RAISE(int32_t dim, ProbeDimension(scanner.get()));
    if (dim > 0) {
      if (out.dim == 0) {
        out.dim = dim;
        dim_file = path;
      } else if (dim != out.dim) {
        return Status::Invalid("dimension mismatch: '", path, "' holds ", dim,
                               "-dimensional vectors in column '", column, "', but '", dim_file,
                               "' holds ", out.dim, "-dimensional ones");
      }
    }
    out.files.push_back(std::move(s));
    ARROW_RETURN_NOT_OK(progress->Report(QV_PHASE_SCAN, static_cast<int64_t>(out.files.size()),
                                         static_cast<int64_t>(paths.size())));
  }
  if (out.files.size() > static_cast<size_t>(INT32_MAX)) return Status::Invalid("too many files");
  if (out.dim == 0) {
    return Status::Invalid("no vector to index: column '", column, "' holds no non-null vector in ",
                           paths.size() == 1 ? "'" + paths[0] + "'" : std::to_string(paths.size()) + " files");
  }
  return out;
}

}  // namespace quiver
