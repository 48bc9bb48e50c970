#include "parquet/fingerprint.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "common/file_io.h"
#include "index/checksum.h"

namespace quiver {
namespace {

// The footer is the Thrift metadata plus its 4-byte length and "PAR1": any
// rewrite of the file that changes schema, row groups or statistics changes
// it, and it is small enough to read at every open.
Result<uint64_t> HashFooter(int fd, int64_t size, const std::string& path) {
  auto read_at = [&](void* buf, size_t n, int64_t off) { return ReadFullyAt(fd, buf, n, off, "cannot read", path); };
  if (size < 12) return Status::Invalid("'", path, "' is not a Parquet file (too small)");
  unsigned char tail[8];
  ARROW_RETURN_NOT_OK(read_at(tail, 8, size - 8));
  if (std::memcmp(tail + 4, "PAR1", 4) != 0) {
    return Status::Invalid("'", path, "' is not a Parquet file (no PAR1 footer)");
  }
  uint32_t len = static_cast<uint32_t>(tail[0]) | static_cast<uint32_t>(tail[1]) << 8 |
                 static_cast<uint32_t>(tail[2]) << 16 | static_cast<uint32_t>(tail[3]) << 24;
  if (static_cast<int64_t>(len) + 12 > size) {
    return Status::Invalid("'", path, "' is not a Parquet file (footer length out of range)");
  }
  std::vector<char> footer(static_cast<size_t>(len) + 8);
  ARROW_RETURN_NOT_OK(read_at(footer.data(), footer.size(), size - static_cast<int64_t>(footer.size())));
  return Checksum(footer.data(), footer.size());
}

}  // namespace

Result<Fingerprint> ComputeFingerprint(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return NotFound("file not found: '" + path + "'");
    return ErrnoError("cannot open", path);
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st;
  if (::fstat(fd, &st) != 0) return ErrnoError("cannot stat", path);
  if (!S_ISREG(st.st_mode)) return Status::Invalid("'", path, "' is not a regular file");
  Fingerprint f;
  f.size_bytes = st.st_size;
  f.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  ARROW_ASSIGN_OR_RAISE(f.footer_hash, HashFooter(fd, f.size_bytes, path));
  return f;
}

Status CheckFingerprint(const SourceFile& file) {
  auto now = ComputeFingerprint(file.path);
  if (!now.ok()) {
    if (ToQvStatus(now.status()) == QV_ERR_NOT_FOUND) {
      return StaleIndex("stale index: source file '" + file.path + "' is missing");
    }
    return StaleIndex("stale index: source file '" + file.path + "' changed: " + now.status().message());
  }
  const Fingerprint& f = *now;
  if (f.size_bytes != file.size_bytes) {
    return StaleIndex("stale index: source file '" + file.path + "' changed size (" +
                      std::to_string(file.size_bytes) + " -> " + std::to_string(f.size_bytes) + " bytes)");
  }
  if (f.footer_hash != file.footer_hash) {
    return StaleIndex("stale index: source file '" + file.path + "' was rewritten (footer differs)");
  }
  if (f.mtime_ns != file.mtime_ns) {
    return StaleIndex("stale index: source file '" + file.path + "' was modified (mtime changed)");
  }
  return Status::OK();
}

}  // namespace quiver
