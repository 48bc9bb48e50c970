// Where the pages of one vector column chunk lie in the file and which rows
// each holds. Taken from the page index (OffsetIndex) when the file has one;
// otherwise discovered once by walking the chunk's pages and counting row
// starts in their repetition levels. A unit is a run of pages that starts and
// ends on a row boundary (a single page unless a writer split a row across
// pages), so every unit decodes on its own into whole rows.
#pragma once

#include <arrow/buffer.h>
#include <parquet/metadata.h>
#include <parquet/page_index.h>
#include <parquet/types.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "common/status.h"

namespace quiver {

struct PageUnit {
  int64_t offset = 0;     // file offset of the first page header
  int64_t length = 0;     // bytes up to the end of the last page
  int64_t first_row = 0;  // within the row group
  int64_t num_rows = 0;
  int32_t pages = 1;      // data pages in the unit
};

struct ChunkPages {
  int64_t dictionary_offset = -1;  // -1: no dictionary page
  int64_t dictionary_length = 0;
  std::vector<PageUnit> units;     // by first_row
};

// The byte range [offset, offset + length) a column chunk occupies.
struct ChunkRange {
  int64_t offset = 0;
  int64_t length = 0;
};
ChunkRange ColumnChunkRange(const parquet::ColumnChunkMetaData& chunk);

// Units from the page index: one per page, which the format requires to
// start on a row boundary.
Result<ChunkPages> PagesFromOffsetIndex(const parquet::ColumnChunkMetaData& chunk,
                                        const parquet::OffsetIndex& index, int64_t rg_rows);

// Units discovered by decoding the page headers and repetition levels of the
// whole chunk, given as `bytes` read from ColumnChunkRange(chunk).
Result<ChunkPages> DiscoverPages(const parquet::ColumnChunkMetaData& chunk,
                                 const parquet::ColumnDescriptor& descr,
                                 std::shared_ptr<arrow::Buffer> bytes, int64_t rg_rows);

}  // namespace quiver
