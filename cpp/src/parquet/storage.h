// Where source files are read from. The engine never opens a source file any
// other way: the build's scans, the fingerprints, refinement and fetch all go
// through a Storage. Two backends: the local file system, and a file source
// the caller supplies through the C ABI (callback_storage.h), through which
// the Java side reaches every Hadoop FileSystem (s3a, abfss, gs, hdfs).
#pragma once

#include <arrow/io/interfaces.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace quiver {

struct FileStat {
  int64_t size_bytes = 0;
  int64_t mtime_ns = 0;  // the file's version tag: its modification time
};

struct ByteRange {
  int64_t offset = 0;
  int64_t length = 0;
};

class Storage {
 public:
  virtual ~Storage() = default;
  // NotFound when the file does not exist; Invalid when it is not a regular
  // file; IOError otherwise, naming the path.
  virtual Result<FileStat> Stat(const std::string& path) = 0;
  // A file for positional reads (ReadAt), safe to use from many threads.
  virtual Result<std::shared_ptr<arrow::io::RandomAccessFile>> Open(const std::string& path) = 0;
  // Reads ranges of a file this storage opened, range i into out[i] (which
  // holds ranges[i].length bytes), all or an error. One call, so that a
  // remote backend can have them in flight together; locally, one after
  // another.
  virtual Status ReadRanges(arrow::io::RandomAccessFile* file, const std::string& path,
                            const std::vector<ByteRange>& ranges, uint8_t* const* out);
  // Whether reads cost a round trip (an object store) rather than a local
  // read: sets the defaults of range merging.
  virtual bool remote() const { return false; }
};

// The local file system (process-wide, stateless).
Storage& LocalStorage();

}  // namespace quiver
