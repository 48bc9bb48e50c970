// What a qv_index handle holds. The build side puts the mapped index here;
// the query side adds its own state (vector reader, page cache, ...) as
// members of this struct. Keep it a plain holder: behaviour lives in the
// layers, not here.
#pragma once

#include <memory>

#include "index/mmap_index_reader.h"

struct qv_index {
  std::unique_ptr<quiver::MmapIndexReader> reader;
};
