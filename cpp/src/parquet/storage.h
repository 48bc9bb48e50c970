// Where source files are read from. The engine never opens a source file any
// other way: the build's scans, the fingerprints, refinement and fetch all go
// through a Storage. The local file system is the first backend; a remote one
// (object stores reached through the caller) implements the same two calls.
#pragma once

#include <arrow/io/interfaces.h>

#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"

namespace quiver {

struct FileStat {
  int64_t size_bytes = 0;
  int64_t mtime_ns = 0;  // the file's version tag: its modification time
};

class Storage {
 public:
  virtual ~Storage() = default;
  // NotFound when the file does not exist; Invalid when it is not a regular
  // file; IOError otherwise, naming the path.
  virtual Result<FileStat> Stat(const std::string& path) = 0;
  // A file for positional reads (ReadAt), safe to use from many threads.
  virtual Result<std::shared_ptr<arrow::io::RandomAccessFile>> Open(const std::string& path) = 0;
};

// The local file system (process-wide, stateless).
Storage& LocalStorage();

}  // namespace quiver
