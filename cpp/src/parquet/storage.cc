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

Status Storage::ReadRanges(arrow::io::RandomAccessFile* file, const std::string& path,
                           const std::vector<ByteRange>& ranges, uint8_t* const* out) {
  for (size_t i = 0; i < ranges.size(); ++i) {
    auto got = file->ReadAt(ranges[i].offset, ranges[i].length, out[i]);
    if (!got.ok()) return Status::IOError(path, ": ", got.status().message());
    if (*got != ranges[i].length) {
      return Status::IOError(path, ": short read at offset ", ranges[i].offset, ": ", *got, " of ",
                             ranges[i].length, " bytes");
    }
  }
  return Status::OK();
}

Storage& LocalStorage() {
  static LocalFileSystem local;
  return local;
}

}  // namespace quiver
