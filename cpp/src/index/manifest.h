// manifest.json: the human-readable half of an index directory. It records
// what a reader needs to trust the binary file (its name, size and build id),
// the build parameters, the row counts, and each source file's fingerprint.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "index/index_reader.h"

namespace quiver {

struct Manifest {
  int32_t format_version = 0;
  std::string index_file;       // file name inside the index directory
  uint64_t index_file_bytes = 0;
  uint64_t build_id = 0;
  IndexParams params;
  int64_t rows_total = 0;
  int64_t rows_indexed = 0;
  SkipCounts skipped;
  std::vector<SourceFile> files;

  std::string ToJson() const;
  // CorruptIndex (naming `origin`) when the text is not a manifest.
  static Result<Manifest> Parse(const std::string& text, const std::string& origin);
};


}  // namespace quiver
