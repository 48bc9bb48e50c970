#include "parquet/storage.h"

#include <arrow/io/file.h>
#include <sys/stat.h>

#include <cerrno>

#include "common/file_io.h"

namespace quiver {
namespace {

class LocalFileSystem final : public Storage {
 public:
  Result<FileStat> Stat(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) {
      if (errno == ENOENT || errno == ENOTDIR) return NotFound("file not found: '" + path + "'");
      return ErrnoError("cannot stat", path);
    }
    if (!S_ISREG(st.st_mode)) return Status::Invalid("'", path, "' is not a regular file");
    FileStat out;
    out.size_bytes = st.st_size;
    out.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    return out;
  }

  Result<std::shared_ptr<arrow::io::RandomAccessFile>> Open(const std::string& path) override {
    auto file = arrow::io::ReadableFile::Open(path);
    if (!file.ok()) {
      // Stat names the common causes (missing, not a regular file) the same way.
      ARROW_RETURN_NOT_OK(Stat(path).status());
      return Status::IOError(path, ": ", file.status().message());
    }
    return std::shared_ptr<arrow::io::RandomAccessFile>(*file);
  }
};

}  // namespace

Storage& LocalStorage() {
  static LocalFileSystem local;
  return local;
}

}  // namespace quiver
