#include "parquet/vector_reader.h"

#include <arrow/buffer.h>
#include <arrow/io/memory.h>
#include <parquet/column_page.h>
#include <parquet/column_reader.h>
#include <parquet/file_reader.h>
#include <parquet/page_index.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>

#include "parquet/page_cache.h"
#include "parquet/page_locations.h"
#include "parquet/vector_layout.h"
#include "parquet/vector_rows.h"

namespace quiver {

namespace {

// A chunk's page units, located on first use.
struct ChunkSlot {
  std::mutex mu;
  bool located = false;
  Status error;
  ChunkPages pages;
};

// The vector column of one source file, resolved on first use (the file is
// opened by the SourceReader); page locations cached for the life of the
// reader.
struct FileState {
  std::mutex mu;
  bool opened = false;
  Status error;  // sticky: a stale or broken file stays refused
  uint32_t index = 0;
  std::shared_ptr<parquet::FileMetaData> metadata;
  VectorLayout layout;
  std::vector<int64_t> rg_first_row;  // row groups + 1 entries
  std::vector<std::unique_ptr<ChunkSlot>> chunks;
};

// Hands a column reader a fixed list of pages.
class ReplayPageReader final : public parquet::PageReader {
 public:
  explicit ReplayPageReader(std::vector<std::shared_ptr<parquet::Page>> pages)
      : pages_(std::move(pages)) {}
  std::shared_ptr<parquet::Page> NextPage() override {
    return next_ < pages_.size() ? pages_[next_++] : nullptr;
  }
  void set_max_page_header_size(uint32_t) override {}

 private:
  std::vector<std::shared_ptr<parquet::Page>> pages_;
  size_t next_ = 0;
};

// A page that owns a copy of its bytes, so it outlives the page reader's
// decompression buffer.
Result<std::shared_ptr<parquet::Page>> CopyPage(const parquet::Page& page) {
  ARROW_ASSIGN_OR_RAISE(std::shared_ptr<arrow::Buffer> bytes, arrow::AllocateBuffer(page.size()));
  if (page.size() > 0) std::memcpy(bytes->mutable_data(), page.data(), page.size());
  switch (page.type()) {
    case parquet::PageType::DICTIONARY_PAGE: {
      const auto& d = static_cast<const parquet::DictionaryPage&>(page);
      return std::make_shared<parquet::DictionaryPage>(bytes, d.num_values(), d.encoding(),
                                                       d.is_sorted());
    }
    case parquet::PageType::DATA_PAGE: {
      const auto& v1 = static_cast<const parquet::DataPageV1&>(page);
      return std::make_shared<parquet::DataPageV1>(
          bytes, v1.num_values(), v1.encoding(), v1.definition_level_encoding(),
          v1.repetition_level_encoding(), v1.uncompressed_size());
    }
    default: {
      const auto& v2 = static_cast<const parquet::DataPageV2&>(page);
      return std::make_shared<parquet::DataPageV2>(
          bytes, v2.num_values(), v2.num_nulls(), v2.num_rows(), v2.encoding(),
          v2.definition_levels_byte_length(), v2.repetition_levels_byte_length(),
          v2.uncompressed_size(), v2.is_compressed());
    }
  }
}

// Keys of one batch that fall into the same page unit: positions
// [begin, end) of the key-sorted order.
struct Want {
  PageId id;
  FileState* file = nullptr;
  const PageUnit* unit = nullptr;
  int64_t unit_first_row = 0;  // within the file
  int64_t begin = 0, end = 0;
};

// Page units of one column chunk decoded together (one dictionary decode).
struct DecodeTask {
  int64_t first_want = 0, last_want = 0;  // [first, last) into the missing wants
};

class ParquetVectorReader final : public VectorReader {
 public:
  ParquetVectorReader(std::shared_ptr<SourceReader> source, std::string column, int32_t dim,
                      int64_t budget, ThreadPool* pool)
      : source_(std::move(source)),
        files_(source_->files()),
        column_(std::move(column)),
        dim_(dim),
        cache_(source_->cache()),
        own_pool_(pool ? nullptr : std::make_unique<ThreadPool>()),
        pool_(pool ? pool : own_pool_.get()) {
    cache_.SetBudget(budget);
    for (size_t i = 0; i < files_.size(); ++i) {
      states_.push_back(std::make_unique<FileState>());
      states_.back()->index = static_cast<uint32_t>(i);
    }
  }

  Status Read(const uint64_t* keys, int64_t n, const IoOptions& io, float* out, RowStatus* status,
              int32_t threads) override;

  void SetCacheBudget(int64_t bytes) override { cache_.SetBudget(bytes); }

  IoStats stats() const override {
    IoStats s;
    const IoCounters io = source_->counters();
    s.bytes_read = io.bytes_read;
    s.read_requests = io.read_requests;
    s.pages_decoded = pages_decoded_.load();
    s.page_cache_hits = page_cache_hits_.load();
    s.cache_bytes = cache_.bytes();
    return s;
  }

 private:
  Result<FileState*> OpenFile(uint32_t f);
  Status OpenFileLocked(uint32_t f, FileState* st);
  Result<const ChunkPages*> Locate(uint32_t f, FileState* st, int rg);
  Status Decode(const std::vector<Want>& wants, const DecodeTask& task, const IoOptions& io,
                ReadLimiter* limiter, const std::vector<std::pair<uint64_t, int64_t>>& order,
                float* out, RowStatus* status);
  void CopyRows(const DecodedPage& page, const Want& w,
                const std::vector<std::pair<uint64_t, int64_t>>& order, float* out,
                RowStatus* status) const;
  std::string Where(uint32_t f) const { return files_[f].path + ": column '" + column_ + "'"; }

  const std::shared_ptr<SourceReader> source_;
  const std::vector<SourceFile>& files_;
  const std::string column_;
  const int32_t dim_;
  std::vector<std::unique_ptr<FileState>> states_;
  PageCache& cache_;  // the source reader's, shared with fetch
  std::unique_ptr<ThreadPool> own_pool_;
  ThreadPool* const pool_;
  std::atomic<int64_t> pages_decoded_{0}, page_cache_hits_{0};
};

Result<FileState*> ParquetVectorReader::OpenFile(uint32_t f) {
  FileState* st = states_[f].get();
  std::lock_guard<std::mutex> lock(st->mu);
  if (!st->opened) {
    st->error = OpenFileLocked(f, st);
    st->opened = true;
  }
  if (!st->error.ok()) return st->error;
  return st;
}

Status ParquetVectorReader::OpenFileLocked(uint32_t f, FileState* st) {
  ARROW_ASSIGN_OR_RAISE(const OpenSource* open, source_->Open(f));
  const std::string& path = files_[f].path;
  try {
    parquet::ParquetFileReader* reader = open->parquet.get();
    st->metadata = open->metadata;
    ARROW_ASSIGN_OR_RAISE(st->layout, ResolveVectorLayout(*st->metadata, path, column_));
    const int groups = st->metadata->num_row_groups();
    st->rg_first_row.assign(1, 0);
    for (int g = 0; g < groups; ++g) {
      st->rg_first_row.push_back(st->rg_first_row.back() + st->metadata->RowGroup(g)->num_rows());
      st->chunks.push_back(std::make_unique<ChunkSlot>());
    }
    // The page index is small: take every chunk's page locations from it now.
    // A chunk whose index is missing or unusable has its pages discovered.
    try {
      std::shared_ptr<parquet::PageIndexReader> index = reader->GetPageIndexReader();
      for (int g = 0; index && g < groups; ++g) {
        auto rg_index = index->RowGroup(g);
        auto offsets = rg_index ? rg_index->GetOffsetIndex(st->layout.leaf) : nullptr;
        if (!offsets) continue;
        auto chunk = st->metadata->RowGroup(g)->ColumnChunk(st->layout.leaf);
        auto pages = PagesFromOffsetIndex(*chunk, *offsets, st->metadata->RowGroup(g)->num_rows());
        if (!pages.ok()) continue;
        st->chunks[g]->pages = std::move(*pages);
        st->chunks[g]->located = true;
      }
    } catch (const std::exception&) {
    }
  } catch (const std::exception& e) {
    return Status::IOError(path, ": ", e.what());
  }
  return Status::OK();
}

Result<const ChunkPages*> ParquetVectorReader::Locate(uint32_t f, FileState* st, int rg) {
  ChunkSlot* slot = st->chunks[rg].get();
  std::lock_guard<std::mutex> lock(slot->mu);
  if (!slot->located) {
    slot->error = [&]() -> Status {
      try {
        auto chunk = st->metadata->RowGroup(rg)->ColumnChunk(st->layout.leaf);
        const ChunkRange range = ColumnChunkRange(*chunk);
        ARROW_ASSIGN_OR_RAISE(RangeReads read, source_->ReadRanges(f, {{range.offset, range.length}},
                                                                   IoOptions{}, nullptr, false));
        auto bytes = read.Slice(range.offset, range.length);
        ARROW_ASSIGN_OR_RAISE(slot->pages,
                              DiscoverPages(*chunk, *st->layout.descr, std::move(bytes),
                                            st->metadata->RowGroup(rg)->num_rows()));
        return Status::OK();
      } catch (const std::exception& e) {
        return Status::IOError(e.what());
      }
    }();
    if (!slot->error.ok()) {
      slot->error = Status::IOError(Where(f), ", row group ", rg, ": ", slot->error.message());
    }
    slot->located = true;
  }
  if (!slot->error.ok()) return slot->error;
  return &slot->pages;
}

void ParquetVectorReader::CopyRows(const DecodedPage& page, const Want& w,
                                   const std::vector<std::pair<uint64_t, int64_t>>& order,
                                   float* out, RowStatus* status) const {
  const int64_t base = w.unit_first_row;
  for (int64_t j = w.begin; j < w.end; ++j) {
    const int64_t r = static_cast<int64_t>(order[j].first & 0xFFFFFFFFu) - base;
    const int64_t i = order[j].second;
    std::memcpy(out + i * dim_, page.vectors.data() + r * dim_, sizeof(float) * dim_);
    status[i] = page.status[r];
  }
}

Status ParquetVectorReader::Decode(const std::vector<Want>& wants, const DecodeTask& task,
                                   const IoOptions& io, ReadLimiter* limiter,
                                   const std::vector<std::pair<uint64_t, int64_t>>& order,
                                   float* out, RowStatus* status) {
  const Want& first = wants[task.first_want];
  FileState* st = first.file;
  const uint32_t f = first.id.file;
  const int rg = static_cast<int>(first.id.row_group);
  const ChunkPages& pages = st->chunks[rg]->pages;
  try {
    // The byte ranges: the dictionary page (if any), then each unit. Nearby
    // ranges are read as one request. The pages then go end to end to a
    // single page reader, so the dictionary is decoded once.
    std::vector<ByteRange> ranges;
    if (pages.dictionary_offset >= 0) ranges.push_back({pages.dictionary_offset, pages.dictionary_length});
    for (int64_t w = task.first_want; w < task.last_want; ++w) {
      ranges.push_back({wants[w].unit->offset, wants[w].unit->length});
    }
    ARROW_ASSIGN_OR_RAISE(RangeReads reads,
                          source_->ReadRanges(f, ranges, io, limiter, /*reuse_buffers=*/true));
    ARROW_ASSIGN_OR_RAISE(std::shared_ptr<arrow::Buffer> joined, reads.Concatenate(ranges));
    auto chunk = st->metadata->RowGroup(rg)->ColumnChunk(st->layout.leaf);
    parquet::ReaderProperties props;
    auto pager = parquet::PageReader::Open(std::make_shared<arrow::io::BufferReader>(joined),
                                           chunk->num_values(), chunk->compression(), props,
                                           *st->layout.descr);
    // Pages come out decompressed into a buffer the next page reuses: each
    // unit is decoded before the next is pulled. Dense PLAIN pages are
    // copied straight out; any other unit goes through a column reader over
    // its pages (and the dictionary, kept aside).
    std::shared_ptr<parquet::Page> dictionary;
    auto next_data_page = [&]() -> Result<std::shared_ptr<parquet::Page>> {
      while (auto page = pager->NextPage()) {
        if (page->type() == parquet::PageType::DICTIONARY_PAGE) {
          ARROW_ASSIGN_OR_RAISE(dictionary, CopyPage(*page));
        } else if (page->type() == parquet::PageType::DATA_PAGE ||
                   page->type() == parquet::PageType::DATA_PAGE_V2) {
          return page;
        }
      }
      return std::shared_ptr<parquet::Page>();
    };
    VectorRowDecoder decoder(st->layout, dim_);
    for (int64_t w = task.first_want; w < task.last_want; ++w) {
      const Want& want = wants[w];
      auto page = std::make_shared<DecodedPage>();
      page->vectors.reserve(want.unit->num_rows * dim_);
      page->status.reserve(want.unit->num_rows);
      std::vector<std::shared_ptr<parquet::Page>> unit_pages;
      bool dense = false;
      for (int32_t k = 0; k < want.unit->pages; ++k) {
        ARROW_ASSIGN_OR_RAISE(std::shared_ptr<parquet::Page> data_page, next_data_page());
        if (!data_page) {
          return Status::IOError(Where(f), ": page at offset ", want.unit->offset, " is missing");
        }
        if (want.unit->pages == 1 &&
            DecodeDensePage(*data_page, st->layout, dim_, &page->vectors, &page->status)) {
          dense = true;
          break;
        }
        if (want.unit->pages > 1) {
          ARROW_ASSIGN_OR_RAISE(data_page, CopyPage(*data_page));
        }
        unit_pages.push_back(std::move(data_page));
      }
      if (dense && static_cast<int64_t>(page->status.size()) != want.unit->num_rows) {
        return Status::IOError(Where(f), ": page at offset ", want.unit->offset, " holds ",
                               page->status.size(), " rows, its index says ", want.unit->num_rows);
      }
      if (!dense) {
        if (dictionary) unit_pages.insert(unit_pages.begin(), dictionary);
        decoder.Reset(parquet::ColumnReader::Make(
            st->layout.descr, std::make_unique<ReplayPageReader>(std::move(unit_pages))));
        const int64_t got = decoder.Next(want.unit->num_rows, &page->vectors, &page->status);
        if (got != want.unit->num_rows) {
          return Status::IOError(Where(f), ": page at offset ", want.unit->offset, " holds ", got,
                                 " rows, its index says ", want.unit->num_rows);
        }
      }
      ++pages_decoded_;
      CopyRows(*page, want, order, out, status);
      cache_.Insert(want.id, std::move(page));
    }
  } catch (const std::exception& e) {
    return Status::IOError(Where(f), ", row group ", rg, ": ", e.what());
  }
  return Status::OK();
}

Status ParquetVectorReader::Read(const uint64_t* keys, int64_t n, const IoOptions& io, float* out,
                                 RowStatus* status, int32_t threads) {
  if (n < 0) return Status::Invalid("VectorReader::Read: negative key count");
  if (n == 0) return Status::OK();
  if (!keys || !out || !status) return Status::Invalid("VectorReader::Read: null buffer");

  std::vector<std::pair<uint64_t, int64_t>> order(n);
  for (int64_t i = 0; i < n; ++i) order[i] = {keys[i], i};
  std::sort(order.begin(), order.end());

  // Files are opened and checked in key order; the chunks whose pages are
  // not yet located (files without a page index) are located in parallel.
  {
    std::vector<std::pair<uint32_t, int>> unlocated;
    FileState* st = nullptr;
    uint32_t cur_file = UINT32_MAX;
    int cur_rg = -1;
    for (int64_t j = 0; j < n; ++j) {
      const uint32_t f = static_cast<uint32_t>(order[j].first >> 32);
      const int64_t row = static_cast<int64_t>(order[j].first & 0xFFFFFFFFu);
      if (f != cur_file) {
        if (f >= files_.size()) {
          return Status::Invalid("row key (file ", f, ", row ", row,
                                 ") is outside the index: it has ", files_.size(), " files");
        }
        ARROW_ASSIGN_OR_RAISE(st, OpenFile(f));
        cur_file = f;
        cur_rg = -1;
      }
      if (row >= st->rg_first_row.back()) {
        return Status::Invalid("row key (file ", f, ", row ", row, ") is outside ", files_[f].path,
                               ", which has ", st->rg_first_row.back(), " rows");
      }
      if (cur_rg >= 0 && row < st->rg_first_row[cur_rg + 1]) continue;
      cur_rg = static_cast<int>(std::upper_bound(st->rg_first_row.begin(), st->rg_first_row.end(), row) -
                                st->rg_first_row.begin()) - 1;
      ChunkSlot* slot = st->chunks[cur_rg].get();
      std::lock_guard<std::mutex> lock(slot->mu);
      if (!slot->located) unlocated.emplace_back(f, cur_rg);
    }
    if (unlocated.size() > 1) {
      const int64_t n = static_cast<int64_t>(unlocated.size());
      ARROW_RETURN_NOT_OK(pool_->ParallelFor(n, source_->Workers(threads, n, io), [&](int64_t t) {
        const auto [f, rg] = unlocated[t];
        return Locate(f, states_[f].get(), rg).status();
      }));
    }
  }

  // Group the sorted keys by page unit.
  std::vector<Want> wants;
  FileState* st = nullptr;
  uint32_t cur_file = UINT32_MAX;
  const ChunkPages* pages = nullptr;
  int cur_rg = -1;
  for (int64_t j = 0; j < n; ++j) {
    const uint64_t key = order[j].first;
    const uint32_t f = static_cast<uint32_t>(key >> 32);
    const int64_t row = static_cast<int64_t>(key & 0xFFFFFFFFu);
    if (!wants.empty() && f == cur_file && row < wants.back().unit_first_row + wants.back().unit->num_rows) {
      wants.back().end = j + 1;
      continue;
    }
    if (f != cur_file) {
      ARROW_ASSIGN_OR_RAISE(st, OpenFile(f));  // opened above: returns at once
      cur_file = f;
      cur_rg = -1;
    }
    const int rg = static_cast<int>(std::upper_bound(st->rg_first_row.begin(), st->rg_first_row.end(), row) -
                                    st->rg_first_row.begin()) - 1;
    if (rg != cur_rg) {
      ARROW_ASSIGN_OR_RAISE(pages, Locate(f, st, rg));
      cur_rg = rg;
    }
    const int64_t in_rg = row - st->rg_first_row[rg];
    auto it = std::upper_bound(pages->units.begin(), pages->units.end(), in_rg,
                               [](int64_t r, const PageUnit& u) { return r < u.first_row; });
    if (it == pages->units.begin() || in_rg >= (it - 1)->first_row + (it - 1)->num_rows) {
      return Status::IOError(Where(f), ": no page holds row ", row);
    }
    --it;
    Want w;
    w.id = {f, static_cast<uint32_t>(rg), static_cast<uint32_t>(it - pages->units.begin())};
    w.file = st;
    w.unit = &*it;
    w.unit_first_row = st->rg_first_row[rg] + it->first_row;
    w.begin = j;
    w.end = j + 1;
    wants.push_back(w);
  }

  // Pages in the cache are copied out now; the others are decoded below.
  std::vector<Want> missing;
  for (const Want& w : wants) {
    if (auto page = cache_.Find<DecodedPage>(w.id)) {
      ++page_cache_hits_;
      CopyRows(*page, w, order, out, status);
    } else {
      missing.push_back(w);
    }
  }
  if (missing.empty()) return Status::OK();

  // One task per run of units of a chunk, split so that all cores get work
  // and read buffers stay small; runs are longer when they share a
  // dictionary page, which each task decodes once.
  std::vector<DecodeTask> tasks;
  for (int64_t w = 0; w < static_cast<int64_t>(missing.size()); ++w) {
    const Want& cur = missing[w];
    if (!tasks.empty()) {
      const Want& head = missing[tasks.back().first_want];
      const bool has_dict = head.file->chunks[head.id.row_group]->pages.dictionary_offset >= 0;
      const int64_t limit = has_dict ? 16 : 8;
      if (head.id.file == cur.id.file && head.id.row_group == cur.id.row_group &&
          w - tasks.back().first_want < limit) {
        tasks.back().last_want = w + 1;
        continue;
      }
    }
    tasks.push_back({w, w + 1});
  }

  ReadLimiter limiter(source_->Effective(io).concurrency);
  const int64_t n_tasks = static_cast<int64_t>(tasks.size());
  return pool_->ParallelFor(n_tasks, source_->Workers(threads, n_tasks, io), [&](int64_t t) {
    return Decode(missing, tasks[t], io, &limiter, order, out, status);
  });
}

}  // namespace

std::unique_ptr<VectorReader> VectorReader::Make(std::shared_ptr<SourceReader> source,
                                                 std::string column, int32_t dim,
                                                 int64_t cache_budget_bytes, ThreadPool* pool) {
  return std::make_unique<ParquetVectorReader>(std::move(source), std::move(column), dim,
                                               cache_budget_bytes, pool);
}

std::unique_ptr<VectorReader> VectorReader::Make(std::vector<SourceFile> files, std::string column,
                                                 int32_t dim, int64_t cache_budget_bytes) {
  return Make(std::make_shared<SourceReader>(std::move(files)), std::move(column), dim,
              cache_budget_bytes);
}

}  // namespace quiver
