// A source file as an index records it: where it is, how many rows it has
// and the fingerprint it had at build time. The index stores these; the
// source I/O (source_reader.h) checks them before serving a byte.
#pragma once

#include <cstdint>
#include <string>

namespace quiver {

struct SourceFile {
  std::string path;      // absolute
  int64_t rows = 0;      // rows in the file
  int64_t rows_indexed = 0;
  int64_t size_bytes = 0;  // fingerprint: size, modification time, footer hash
  int64_t mtime_ns = 0;
  uint64_t footer_hash = 0;
};

}  // namespace quiver
