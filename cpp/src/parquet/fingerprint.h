// A source file's fingerprint, recorded at build time and checked before the
// file is first read, so that a changed file is detected, never served.
#pragma once

#include <arrow/io/interfaces.h>

#include <cstdint>
#include <string>

#include "common/status.h"
#include "parquet/source_file.h"
#include "parquet/storage.h"

namespace quiver {

struct Fingerprint {
  int64_t size_bytes = 0;
  int64_t mtime_ns = 0;
  uint64_t footer_hash = 0;  // 64-bit hash of the Parquet footer bytes
};

// The fingerprint of an open file whose stat is `stat`: hashes its footer.
// With `footer`, also hands over the footer's bytes (the Thrift metadata
// followed by its length and "PAR1"), so that the caller parses the metadata
// from them instead of reading it again.
Result<Fingerprint> ReadFingerprint(const std::string& path, const FileStat& stat,
                                    arrow::io::RandomAccessFile* file,
                                    std::shared_ptr<arrow::Buffer>* footer = nullptr);

// Stats and opens `path` and hashes its footer. NotFound if the file is missing.
Result<Fingerprint> ComputeFingerprint(Storage& storage, const std::string& path);

// OK if `now` (a fingerprint just taken, or why it could not be) matches what
// `file` recorded; otherwise StaleIndex naming the file and what changed
// (missing, size, modification time, footer).
Status CompareFingerprint(const SourceFile& file, const Result<Fingerprint>& now);

Status CheckFingerprint(Storage& storage, const SourceFile& file);

// The cheap half of the check, from a stat alone: size and modification time.
Status CheckStat(const SourceFile& file, const Result<FileStat>& now);

}  // namespace quiver
