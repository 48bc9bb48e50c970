#include "common/file_io.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace quiver {

Status ErrnoError(const std::string& what, const std::string& path) {
  return Status::IOError(what, " '", path, "': ", std::strerror(errno));
}

Status WriteFullyAt(int fd, const void* data, size_t n, int64_t offset, const std::string& what,
                    const std::string& path) {
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    const ssize_t w = ::pwrite(fd, p, n, static_cast<off_t>(offset));
    if (w < 0) {
      if (errno == EINTR) continue;
      return ErrnoError(what, path);
    }
    p += w;
    n -= static_cast<size_t>(w);
    offset += w;
  }
  return Status::OK();
}

Status ReadFullyAt(int fd, void* data, size_t n, int64_t offset, const std::string& what, const std::string& path) {
  char* p = static_cast<char*>(data);
  while (n > 0) {
    const ssize_t r = ::pread(fd, p, n, static_cast<off_t>(offset));
    if (r < 0) {
      if (errno == EINTR) continue;
      return ErrnoError(what, path);
    }
    if (r == 0) return Status::IOError(what, " '", path, "': unexpected end of file");
    p += r;
    n -= static_cast<size_t>(r);
    offset += r;
  }
  return Status::OK();
}

}  // namespace quiver
