#include "parquet/page_locations.h"

#include <arrow/io/memory.h>
#include <parquet/column_page.h>
#include <parquet/column_reader.h>
#include <parquet/properties.h>

namespace quiver {

ChunkRange ColumnChunkRange(const parquet::ColumnChunkMetaData& chunk) {
  int64_t start = chunk.data_page_offset();
  // Some writers record a dictionary offset of 0 for chunks without one.
  if (chunk.has_dictionary_page() && chunk.dictionary_page_offset() > 0 &&
      chunk.dictionary_page_offset() < start) {
    start = chunk.dictionary_page_offset();
  }
  return {start, chunk.total_compressed_size()};
}

namespace {

Status BadIndex(const std::string& why) {
  return Status::IOError("invalid page index: ", why);
}

}  // namespace

Result<ChunkPages> PagesFromOffsetIndex(const parquet::ColumnChunkMetaData& chunk,
                                        const parquet::OffsetIndex& index, int64_t rg_rows) {
  const auto& locations = index.page_locations();
  const ChunkRange range = ColumnChunkRange(chunk);
  ChunkPages pages;
  if (locations.empty()) {
    if (rg_rows != 0) return BadIndex("no pages for a non-empty row group");
    return pages;
  }
  if (locations.front().first_row_index != 0) return BadIndex("first page does not start at row 0");
  if (locations.front().offset > range.offset) {
    pages.dictionary_offset = range.offset;
    pages.dictionary_length = locations.front().offset - range.offset;
  }
  for (size_t i = 0; i < locations.size(); ++i) {
    const auto& loc = locations[i];
    const int64_t next_row = i + 1 < locations.size() ? locations[i + 1].first_row_index : rg_rows;
    if (loc.offset < range.offset || loc.compressed_page_size <= 0 ||
        loc.offset + loc.compressed_page_size > range.offset + range.length ||
        next_row < loc.first_row_index || next_row > rg_rows) {
      return BadIndex("page " + std::to_string(i) + " lies outside its column chunk");
    }
    pages.units.push_back({loc.offset, loc.compressed_page_size, loc.first_row_index,
                           next_row - loc.first_row_index, 1});
  }
  return pages;
}

Result<ChunkPages> DiscoverPages(const parquet::ColumnChunkMetaData& chunk,
                                 const parquet::ColumnDescriptor& descr,
                                 std::shared_ptr<arrow::Buffer> bytes, int64_t rg_rows) {
  const ChunkRange range = ColumnChunkRange(chunk);
  auto stream = std::make_shared<arrow::io::BufferReader>(bytes);
  parquet::ReaderProperties props;
  auto pager = parquet::PageReader::Open(stream, chunk.num_values(), chunk.compression(), props, descr);
  ChunkPages pages;
  std::vector<int16_t> rep(4096);
  int64_t rows = 0;
  while (true) {
    ARROW_ASSIGN_OR_RAISE(const int64_t start, stream->Tell());
    std::shared_ptr<parquet::Page> page = pager->NextPage();
    if (!page) break;
    ARROW_ASSIGN_OR_RAISE(const int64_t end, stream->Tell());
    if (page->type() == parquet::PageType::DICTIONARY_PAGE) {
      pages.dictionary_offset = range.offset + start;
      pages.dictionary_length = end - start;
      continue;
    }
    int64_t page_rows = 0;
    bool continues_row = false;
    if (page->type() == parquet::PageType::DATA_PAGE_V2) {
      page_rows = static_cast<const parquet::DataPageV2&>(*page).num_rows();
    } else if (page->type() == parquet::PageType::DATA_PAGE) {
      const auto& v1 = static_cast<const parquet::DataPageV1&>(*page);
      parquet::LevelDecoder decoder;
      decoder.SetData(v1.repetition_level_encoding(), descr.max_repetition_level(),
                      v1.num_values(), v1.data(), static_cast<int32_t>(v1.size()));
      int64_t left = v1.num_values();
      bool first = true;
      while (left > 0) {
        const int n = decoder.Decode(static_cast<int>(std::min<int64_t>(left, rep.size())), rep.data());
        if (n <= 0) return Status::IOError("page at offset ", range.offset + start,
                                           ": repetition levels end early");
        for (int i = 0; i < n; ++i) page_rows += rep[i] == 0;
        if (first) continues_row = rep[0] != 0;
        first = false;
        left -= n;
      }
    } else {
      continue;
    }
    if (continues_row || (pages.units.empty() == false && pages.units.back().num_rows == 0)) {
      if (pages.units.empty()) {
        return Status::IOError("column chunk starts in the middle of a row");
      }
      PageUnit& unit = pages.units.back();
      unit.length = range.offset + end - unit.offset;
      unit.num_rows += page_rows;
      ++unit.pages;
    } else {
      pages.units.push_back({range.offset + start, end - start, rows, page_rows, 1});
    }
    rows += page_rows;
  }
  if (rows != rg_rows) {
    return Status::IOError("column chunk holds ", rows, " rows, its row group ", rg_rows);
  }
  return pages;
}

}  // namespace quiver
