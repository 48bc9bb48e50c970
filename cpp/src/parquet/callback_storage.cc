#include "parquet/callback_storage.h"

#include <arrow/buffer.h>
#include <arrow/util/future.h>

#include <cstring>
#include <mutex>

namespace quiver {
namespace {

constexpr int32_t kErrorCap = 1024;

// A callback's failure as the engine's: the path, then the caller's message.
Status FromCallback(int32_t code, const char* what, const std::string& path, const char* error) {
  std::string message(error, strnlen(error, kErrorCap));
  if (message.empty()) message = "the file source's " + std::string(what) + " failed (status " + std::to_string(code) + ")";
  if (code == QV_ERR_NOT_FOUND) return NotFound("file not found: '" + path + "': " + message);
  return Status::IOError("cannot ", what, " '", path, "': ", message);
}

class CallbackFile final : public arrow::io::RandomAccessFile {
 public:
  CallbackFile(FileSourceCallbacks cb, std::string path, void* handle, int64_t size)
      : cb_(cb), path_(std::move(path)), handle_(handle), size_(size) {}
  ~CallbackFile() override { (void)DoClose(); }

  arrow::Status Close() override { return DoClose(); }
  bool closed() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return handle_ == nullptr;
  }
  arrow::Result<int64_t> Tell() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return position_;
  }
  arrow::Status Seek(int64_t position) override {
    std::lock_guard<std::mutex> lock(mu_);
    position_ = position;
    return arrow::Status::OK();
  }
  arrow::Result<int64_t> GetSize() override { return size_; }
  arrow::Result<int64_t> Read(int64_t nbytes, void* out) override {
    int64_t at;
    {
      std::lock_guard<std::mutex> lock(mu_);
      at = position_;
    }
    ARROW_ASSIGN_OR_RAISE(int64_t n, ReadAt(at, nbytes, out));
    std::lock_guard<std::mutex> lock(mu_);
    position_ = at + n;
    return n;
  }
  arrow::Result<std::shared_ptr<arrow::Buffer>> Read(int64_t nbytes) override {
    ARROW_ASSIGN_OR_RAISE(auto buffer, arrow::AllocateResizableBuffer(nbytes));
    ARROW_ASSIGN_OR_RAISE(int64_t n, Read(nbytes, buffer->mutable_data()));
    ARROW_RETURN_NOT_OK(buffer->Resize(n));
    return std::shared_ptr<arrow::Buffer>(std::move(buffer));
  }
  // A read past the end is cut at the end, as a local file's is.
  arrow::Result<int64_t> ReadAt(int64_t position, int64_t nbytes, void* out) override {
    if (position < 0 || nbytes < 0) return arrow::Status::Invalid(path_, ": negative read position or length");
    const int64_t n = std::max<int64_t>(0, std::min(nbytes, size_ - position));
    if (n == 0) return 0;
    ByteRange r{position, n};
    uint8_t* into = static_cast<uint8_t*>(out);
    ARROW_RETURN_NOT_OK(ReadRanges({r}, &into));
    return n;
  }
  arrow::Result<std::shared_ptr<arrow::Buffer>> ReadAt(int64_t position, int64_t nbytes) override {
    ARROW_ASSIGN_OR_RAISE(auto buffer, arrow::AllocateResizableBuffer(nbytes));
    ARROW_ASSIGN_OR_RAISE(int64_t n, ReadAt(position, nbytes, buffer->mutable_data()));
    ARROW_RETURN_NOT_OK(buffer->Resize(n));
    return std::shared_ptr<arrow::Buffer>(std::move(buffer));
  }

  // On the caller's thread, never on Arrow's I/O pool: a thread that calls
  // into the host (the JVM attaches it) must not be one that a library joins
  // at process exit, when the host can no longer let it detach.
  arrow::Future<std::shared_ptr<arrow::Buffer>> ReadAsync(const arrow::io::IOContext&, int64_t position,
                                                         int64_t nbytes) override {
    return arrow::Future<std::shared_ptr<arrow::Buffer>>::MakeFinished(ReadAt(position, nbytes));
  }

  Status ReadRanges(const std::vector<ByteRange>& ranges, uint8_t* const* out) {
    void* handle;
    {
      std::lock_guard<std::mutex> lock(mu_);
      handle = handle_;
    }
    if (handle == nullptr) return Status::Invalid(path_, ": read after close");
    std::vector<int64_t> offsets, lengths;
    std::vector<void*> buffers;
    for (size_t i = 0; i < ranges.size(); ++i) {
      if (ranges[i].offset < 0 || ranges[i].length < 0 || ranges[i].offset + ranges[i].length > size_) {
        return Status::IOError(path_, ": read of ", ranges[i].length, " bytes at offset ",
                               ranges[i].offset, " is outside the file's ", size_, " bytes");
      }
      offsets.push_back(ranges[i].offset);
      lengths.push_back(ranges[i].length);
      buffers.push_back(out[i]);
    }
    char error[kErrorCap] = {0};
    const int32_t code = cb_.read(cb_.user, handle, static_cast<int32_t>(ranges.size()), offsets.data(),
                                  lengths.data(), buffers.data(), error, kErrorCap);
    if (code != QV_OK) return FromCallback(code, "read", path_, error);
    return Status::OK();
  }

 private:
  arrow::Status DoClose() {
    void* handle;
    {
      std::lock_guard<std::mutex> lock(mu_);
      handle = handle_;
      handle_ = nullptr;
    }
    if (handle != nullptr) cb_.close(cb_.user, handle);
    return arrow::Status::OK();
  }

  const FileSourceCallbacks cb_;
  const std::string path_;
  mutable std::mutex mu_;
  void* handle_;
  const int64_t size_;
  int64_t position_ = 0;
};

class CallbackStorage final : public Storage {
 public:
  explicit CallbackStorage(const FileSourceCallbacks& cb) : cb_(cb) {}

  Result<FileStat> Stat(const std::string& path) override {
    char error[kErrorCap] = {0};
    FileStat st;
    const int32_t code = cb_.stat(cb_.user, path.c_str(), &st.size_bytes, &st.mtime_ns, error, kErrorCap);
    if (code != QV_OK) return FromCallback(code, "stat", path, error);
    return st;
  }

  Result<std::shared_ptr<arrow::io::RandomAccessFile>> Open(const std::string& path) override {
    char error[kErrorCap] = {0};
    void* handle = nullptr;
    int64_t size = 0;
    const int32_t code = cb_.open(cb_.user, path.c_str(), &handle, &size, error, kErrorCap);
    if (code != QV_OK) return FromCallback(code, "open", path, error);
    if (size < 0) {
      cb_.close(cb_.user, handle);
      return Status::IOError("cannot open '", path, "': the file source reports a negative size");
    }
    return std::shared_ptr<arrow::io::RandomAccessFile>(
        std::make_shared<CallbackFile>(cb_, path, handle, size));
  }

  Status ReadRanges(arrow::io::RandomAccessFile* file, const std::string& path,
                    const std::vector<ByteRange>& ranges, uint8_t* const* out) override {
    auto* ours = dynamic_cast<CallbackFile*>(file);
    if (ours == nullptr) return Storage::ReadRanges(file, path, ranges, out);
    return ours->ReadRanges(ranges, out);
  }

  bool remote() const override { return cb_.remote; }

 private:
  const FileSourceCallbacks cb_;
};

}  // namespace

std::shared_ptr<Storage> MakeCallbackStorage(const FileSourceCallbacks& callbacks) {
  return std::make_shared<CallbackStorage>(callbacks);
}

}  // namespace quiver
