// The Storage backend over a caller-supplied file source (the C ABI's
// qv_file_source callbacks): how the engine reads files the JVM reaches
// through Hadoop's FileSystem (s3a, abfss, gs, hdfs) without a native
// credential path of its own.
#pragma once

#include <memory>

#include "parquet/storage.h"
#include "quiver/quiver.h"

namespace quiver {

struct FileSourceCallbacks {
  qv_source_stat_fn stat = nullptr;
  qv_source_open_fn open = nullptr;
  qv_source_read_fn read = nullptr;
  qv_source_close_fn close = nullptr;
  bool remote = true;
  void* user = nullptr;
};

std::shared_ptr<Storage> MakeCallbackStorage(const FileSourceCallbacks& callbacks);

}  // namespace quiver
