// A segment file on its own, before any manifest names it: what a commit
// needs to know of a segment encoded elsewhere (qv_encode_segment), read from
// the file and checked against its checksums.
#pragma once

#include <string>

#include "common/status.h"
#include "index/format.h"
#include "index/manifest.h"

namespace quiver {

struct SegmentFile {
  std::string path;          // where the file is now
  format::MetaSection meta;  // its parameters, base file (quantizer_id) and files
  SegmentRef ref;            // what a manifest records of it
  SegmentFiles described;
};

// Reads the header, section table, metadata and files sections of the
// segment file at `path`: CorruptIndex when a checksum or a bound fails,
// Invalid when it is no segment file (a base file, or a segment of a version
// that did not describe its files). The posting lists are checked when an
// index over the file is verified.
Result<SegmentFile> ReadSegmentFile(const std::string& path);

}  // namespace quiver
