#include "parquet/fingerprint.h"

#include <arrow/buffer.h>

#include <cstring>

#include "common/checksum.h"

namespace quiver {
namespace {

Status ReadFully(arrow::io::RandomAccessFile* file, int64_t offset, int64_t n, void* out,
                 const std::string& path) {
  auto got = file->ReadAt(offset, n, out);
  if (!got.ok()) return Status::IOError("cannot read '", path, "': ", got.status().message());
  if (*got != n) return Status::IOError("cannot read '", path, "': unexpected end of file");
  return Status::OK();
}

std::string Stale(const SourceFile& file, const std::string& what) {
  return "stale index: source file '" + file.path + "' " + what;
}

}  // namespace

// The footer is the Thrift metadata plus its 4-byte length and "PAR1": any
// rewrite of the file that changes schema, row groups or statistics changes
// it, and it is small enough to read at every open.
Result<Fingerprint> ReadFingerprint(const std::string& path, const FileStat& stat,
                                    arrow::io::RandomAccessFile* file,
                                    std::shared_ptr<arrow::Buffer>* footer_out) {
  Fingerprint f;
  f.size_bytes = stat.size_bytes;
  f.mtime_ns = stat.mtime_ns;
  const int64_t size = stat.size_bytes;
  if (size < 12) return Status::Invalid("'", path, "' is not a Parquet file (too small)");
  unsigned char tail[8];
  ARROW_RETURN_NOT_OK(ReadFully(file, size - 8, 8, tail, path));
  if (std::memcmp(tail + 4, "PAR1", 4) != 0) {
    return Status::Invalid("'", path, "' is not a Parquet file (no PAR1 footer)");
  }
  uint32_t len = static_cast<uint32_t>(tail[0]) | static_cast<uint32_t>(tail[1]) << 8 |
                 static_cast<uint32_t>(tail[2]) << 16 | static_cast<uint32_t>(tail[3]) << 24;
  if (static_cast<int64_t>(len) + 12 > size) {
    return Status::Invalid("'", path, "' is not a Parquet file (footer length out of range)");
  }
  const int64_t n = static_cast<int64_t>(len) + 8;
  ARROW_ASSIGN_OR_RAISE(std::shared_ptr<arrow::Buffer> footer, arrow::AllocateBuffer(n));
  ARROW_RETURN_NOT_OK(ReadFully(file, size - n, n, footer->mutable_data(), path));
  f.footer_hash = Checksum(footer->data(), static_cast<size_t>(n));
  if (footer_out != nullptr) *footer_out = std::move(footer);
  return f;
}

Result<Fingerprint> ComputeFingerprint(Storage& storage, const std::string& path) {
  ARROW_ASSIGN_OR_RAISE(FileStat stat, storage.Stat(path));
  ARROW_ASSIGN_OR_RAISE(auto file, storage.Open(path));
  return ReadFingerprint(path, stat, file.get());
}

Status CheckStat(const SourceFile& file, const Result<FileStat>& now) {
  if (!now.ok()) {
    // Missing is stale; a file that could not be read (the store is down,
    // access was denied) is an I/O error, not a verdict on the file.
    if (ToQvStatus(now.status()) == QV_ERR_NOT_FOUND) return StaleIndex(Stale(file, "is missing"));
    if (ToQvStatus(now.status()) == QV_ERR_IO) return now.status();
    return StaleIndex(Stale(file, "changed: " + now.status().message()));
  }
  if (now->size_bytes != file.size_bytes) {
    return StaleIndex(Stale(file, "changed size (" + std::to_string(file.size_bytes) + " -> " +
                                      std::to_string(now->size_bytes) + " bytes)"));
  }
  if (now->mtime_ns != file.mtime_ns) {
    return StaleIndex(Stale(file, "was modified (mtime changed)"));
  }
  return Status::OK();
}

Status CompareFingerprint(const SourceFile& file, const Result<Fingerprint>& now) {
  if (!now.ok()) return CheckStat(file, now.status());
  // A rewrite keeps size and time only by accident: the footer says it first.
  if (now->size_bytes == file.size_bytes && now->footer_hash != file.footer_hash) {
    return StaleIndex(Stale(file, "was rewritten (footer differs)"));
  }
  FileStat stat;
  stat.size_bytes = now->size_bytes;
  stat.mtime_ns = now->mtime_ns;
  return CheckStat(file, stat);
}

Status CheckFingerprint(Storage& storage, const SourceFile& file) {
  return CompareFingerprint(file, ComputeFingerprint(storage, file.path));
}

}  // namespace quiver
