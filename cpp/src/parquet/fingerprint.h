// A source file's fingerprint, recorded at build time and checked at open and
// before every read, so that a changed file is detected, never served.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "index/index_reader.h"

namespace quiver {

struct Fingerprint {
  int64_t size_bytes = 0;
  int64_t mtime_ns = 0;
  uint64_t footer_hash = 0;  // 64-bit hash of the Parquet footer bytes
};

// Stats `path` and hashes its footer. NotFound if the file is missing.
Result<Fingerprint> ComputeFingerprint(const std::string& path);

// OK if `file` still matches its recorded fingerprint; otherwise StaleIndex
// naming the file and what changed (missing, size, modification time, footer).
Status CheckFingerprint(const SourceFile& file);

}  // namespace quiver
