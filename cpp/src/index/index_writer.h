// Writes an index directory atomically: the binary file goes to a temporary
// name, is synced and renamed to a name unique to this build, then
// manifest.json (which names it) is written the same way and renamed into
// place. That rename is the commit point: until it happens a reader sees the
// previous index, byte for byte, and on any failure every file this write
// created is removed. After the commit, files of earlier builds are removed.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/status.h"
#include "index/manifest.h"

namespace quiver {

struct IndexContents {
  // Everything but the index_file fields, which the writer fills in.
  Manifest manifest;
  const float* centroids = nullptr;  // nlist * dim
  const float* codebooks = nullptr;  // pq_m * 256 * (dim / pq_m)
  std::vector<int64_t> list_sizes;   // nlist entries, summing to rows_indexed
  // Fills list `list`'s list_sizes[list] codes (pq_m bytes each) and row
  // keys. Called once per non-empty list, in list order.
  std::function<Status(int32_t list, uint8_t* codes, uint64_t* keys)> fill_list;
};

// `progress(bytes_done, bytes_total)`; a non-OK status aborts the write.
using WriteProgress = std::function<Status(int64_t done, int64_t total)>;

Status WriteIndex(const std::string& index_dir, IndexContents contents,
                  const WriteProgress& progress);

}  // namespace quiver
