#include "parquet/row_fetcher.h"

#include <arrow/api.h>
#include <arrow/compute/api_vector.h>
#include <arrow/util/future.h>
#include <parquet/arrow/reader.h>
#include <parquet/arrow/schema.h>
#include <parquet/file_reader.h>

#include <algorithm>
#include <cstring>

#include "parquet/page_locations.h"

namespace quiver {

namespace {

void CollectLeaves(const parquet::arrow::SchemaField& field, std::vector<int>* leaves) {
  if (field.is_leaf()) {
    leaves->push_back(field.column_index);
    return;
  }
  for (const auto& child : field.children) CollectLeaves(child, leaves);
}

// Raw column-chunk bytes kept in the handle's cache, so that fetching rows of
// the same row groups again (a warm join, a page of search results) reads
// nothing.
struct CachedChunk final : CachedItem {
  std::shared_ptr<arrow::Buffer> data;
  int64_t bytes() const override { return data->size() + 64; }
};

// Bytes of a file known in advance: each piece a buffer at its offset.
struct Piece {
  int64_t offset;
  std::shared_ptr<arrow::Buffer> data;
};

// A file whose reads are served from column chunks read ahead (or cached),
// falling back to the file itself for anything outside them.
class ReadAheadFile final : public arrow::io::RandomAccessFile {
 public:
  ReadAheadFile(std::shared_ptr<arrow::io::RandomAccessFile> file, std::vector<Piece> pieces)
      : file_(std::move(file)), pieces_(std::move(pieces)) {
    std::sort(pieces_.begin(), pieces_.end(), [](const Piece& a, const Piece& b) { return a.offset < b.offset; });
  }

  arrow::Status Close() override { return arrow::Status::OK(); }
  bool closed() const override { return false; }
  arrow::Result<int64_t> Tell() const override { return position_; }
  arrow::Status Seek(int64_t position) override {
    position_ = position;
    return arrow::Status::OK();
  }
  arrow::Result<int64_t> GetSize() override { return file_->GetSize(); }
  arrow::Result<int64_t> Read(int64_t nbytes, void* out) override {
    ARROW_ASSIGN_OR_RAISE(int64_t n, ReadAt(position_, nbytes, out));
    position_ += n;
    return n;
  }
  arrow::Result<std::shared_ptr<arrow::Buffer>> Read(int64_t nbytes) override {
    ARROW_ASSIGN_OR_RAISE(auto b, ReadAt(position_, nbytes));
    position_ += b->size();
    return b;
  }
  arrow::Result<int64_t> ReadAt(int64_t position, int64_t nbytes, void* out) override {
    if (auto b = Slice(position, nbytes)) {
      std::memcpy(out, b->data(), nbytes);
      return nbytes;
    }
    return file_->ReadAt(position, nbytes, out);
  }
  arrow::Result<std::shared_ptr<arrow::Buffer>> ReadAt(int64_t position, int64_t nbytes) override {
    if (auto b = Slice(position, nbytes)) return b;
    return file_->ReadAt(position, nbytes);
  }
  // On the caller's thread (see CallbackFile::ReadAsync).
  arrow::Future<std::shared_ptr<arrow::Buffer>> ReadAsync(const arrow::io::IOContext&, int64_t position,
                                                         int64_t nbytes) override {
    return arrow::Future<std::shared_ptr<arrow::Buffer>>::MakeFinished(ReadAt(position, nbytes));
  }

 private:
  std::shared_ptr<arrow::Buffer> Slice(int64_t position, int64_t nbytes) const {
    auto it = std::upper_bound(pieces_.begin(), pieces_.end(), position,
                               [](int64_t p, const Piece& piece) { return p < piece.offset; });
    if (it == pieces_.begin()) return nullptr;
    --it;
    const int64_t at = position - it->offset;
    if (at + nbytes > it->data->size()) return nullptr;
    return arrow::SliceBuffer(it->data, at, nbytes);
  }

  std::shared_ptr<arrow::io::RandomAccessFile> file_;
  std::vector<Piece> pieces_;
  int64_t position_ = 0;
};

// The column chunks (`leaves` of row groups `groups`) of file `f`: from the
// handle's cache where it has them, the rest read in one merged pass and
// cached.
Result<std::vector<Piece>> ColumnChunks(SourceReader& source, uint32_t f, const parquet::FileMetaData& metadata,
                                        const std::vector<int>& groups, const std::vector<int>& leaves,
                                        const IoOptions& io) {
  std::vector<Piece> pieces;
  std::vector<ByteRange> missing;
  std::vector<PageId> missing_ids;
  for (int g : groups) {
    for (int leaf : leaves) {
      const ChunkRange r = ColumnChunkRange(*metadata.RowGroup(g)->ColumnChunk(leaf));
      const PageId id{f, static_cast<uint32_t>(g), static_cast<uint32_t>(leaf), CacheKind::kColumnChunk};
      if (auto cached = source.cache().Find<CachedChunk>(id)) {
        pieces.push_back({r.offset, cached->data});
        continue;
      }
      missing.push_back({r.offset, r.length});
      missing_ids.push_back(id);
    }
  }
  if (missing.empty()) return pieces;
  std::vector<size_t> order(missing.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return missing[a].offset < missing[b].offset; });
  std::vector<ByteRange> sorted;
  for (size_t i : order) sorted.push_back(missing[i]);
  ARROW_ASSIGN_OR_RAISE(RangeReads read, source.ReadRanges(f, sorted, io, nullptr, false));
  for (size_t i : order) {
    ARROW_ASSIGN_OR_RAISE(auto bytes, read.Concatenate({missing[i]}));
    // A copy of its own, so that the cache holds the chunk and not the
    // merged request around it.
    auto chunk = std::make_shared<CachedChunk>();
    ARROW_ASSIGN_OR_RAISE(chunk->data, bytes->CopySlice(0, bytes->size()));
    source.cache().Insert(missing_ids[i], chunk);
    pieces.push_back({missing[i].offset, chunk->data});
  }
  return pieces;
}

// The wanted rows of one file: positions [begin, end) of the key-sorted order.
struct FileSlice {
  uint32_t file = 0;
  int64_t begin = 0, end = 0;
};

// Reads the row groups of file `f` that hold `rows` (sorted), projected to
// `columns`, with the column chunks cached or fetched in one merged pass,
// and takes those rows in that order.
Result<std::shared_ptr<arrow::Table>> ReadFileRows(SourceReader& source, uint32_t f,
                                                   const std::vector<int64_t>& rows,
                                                   const std::vector<std::string>& columns,
                                                   const IoOptions& io, bool recheck) {
  ARROW_ASSIGN_OR_RAISE(const OpenSource* open, recheck ? source.OpenUnchanged(f) : source.Open(f));
  const std::string& path = open->file->path;
  const std::shared_ptr<parquet::FileMetaData>& metadata = open->metadata;
  parquet::arrow::SchemaManifest manifest;
  {
    auto made = parquet::arrow::SchemaManifest::Make(metadata->schema(), metadata->key_value_metadata(),
                                                     parquet::default_arrow_reader_properties(),
                                                     &manifest);
    if (!made.ok()) return Status::IOError(path, ": ", made.message());
  }
  std::vector<int> leaves;
  std::vector<std::shared_ptr<arrow::Field>> fields;
  for (const auto& name : columns) {
    const parquet::arrow::SchemaField* found = nullptr;
    for (const auto& f : manifest.schema_fields) {
      if (f.field->name() == name) {
        found = &f;
        break;
      }
    }
    if (!found) return NotFound(path + ": column '" + name + "' not found");
    CollectLeaves(*found, &leaves);
    fields.push_back(found->field);
  }

  std::vector<int64_t> rg_first{0};
  for (int g = 0; g < metadata->num_row_groups(); ++g) {
    rg_first.push_back(rg_first.back() + metadata->RowGroup(g)->num_rows());
  }
  // Which row groups are needed, and where each wanted row lands in them.
  std::vector<int> groups;
  std::vector<int64_t> group_base;  // first position of each needed group in the read table
  int64_t read_rows = 0;
  arrow::Int64Builder indices;
  ARROW_RETURN_NOT_OK(indices.Reserve(static_cast<int64_t>(rows.size())));
  for (int64_t row : rows) {
    if (row >= rg_first.back()) {
      return Status::Invalid("row key for row ", row, " is outside ", path, ", which has ",
                             rg_first.back(), " rows");
    }
    const int g = static_cast<int>(std::upper_bound(rg_first.begin(), rg_first.end(), row) -
                                   rg_first.begin()) - 1;
    if (groups.empty() || groups.back() != g) {
      groups.push_back(g);
      group_base.push_back(read_rows);
      read_rows += rg_first[g + 1] - rg_first[g];
    }
    indices.UnsafeAppend(group_base.back() + row - rg_first[g]);
  }
  std::sort(leaves.begin(), leaves.end());
  leaves.erase(std::unique(leaves.begin(), leaves.end()), leaves.end());
  std::shared_ptr<arrow::Table> table;
  try {
    ARROW_ASSIGN_OR_RAISE(std::vector<Piece> pieces, ColumnChunks(source, f, *metadata, groups, leaves, io));
    auto file = std::make_shared<ReadAheadFile>(open->input, std::move(pieces));
    // The chunks are read ahead already: no pre-buffering (Arrow's default),
    // which would read again, on Arrow's I/O threads.
    parquet::ArrowReaderProperties props;
    props.set_pre_buffer(false);
    props.set_use_threads(false);
    std::unique_ptr<parquet::arrow::FileReader> reader;
    auto made = parquet::arrow::FileReader::Make(
        arrow::default_memory_pool(),
        parquet::ParquetFileReader::Open(file, parquet::default_reader_properties(), metadata), props, &reader);
    if (!made.ok()) return Status::IOError(path, ": ", made.message());
    auto read = reader->ReadRowGroups(groups, leaves);
    if (!read.ok()) return Status::IOError(path, ": ", read.status().message());
    table = *read;
  } catch (const std::exception& e) {
    return Status::IOError(path, ": ", e.what());
  }
  // The reader orders columns by file position; put them in the caller's order.
  std::vector<std::shared_ptr<arrow::ChunkedArray>> ordered;
  for (const auto& f : fields) {
    auto column = table->GetColumnByName(f->name());
    if (!column) return Status::IOError(path, ": column '", f->name(), "' missing after read");
    ordered.push_back(column);
  }
  table = arrow::Table::Make(arrow::schema(fields), ordered, table->num_rows());
  ARROW_ASSIGN_OR_RAISE(auto index_array, indices.Finish());
  ARROW_ASSIGN_OR_RAISE(arrow::Datum taken, arrow::compute::Take(table, index_array));
  return taken.table();
}

// The schema all files share: each column's type must agree; it is
// nullable when it is in any file.
Result<std::shared_ptr<arrow::Schema>> CommonSchema(
    const std::vector<std::shared_ptr<arrow::Table>>& tables, const std::vector<std::string>& paths) {
  std::vector<std::shared_ptr<arrow::Field>> fields = tables[0]->schema()->fields();
  for (size_t t = 1; t < tables.size(); ++t) {
    for (size_t i = 0; i < fields.size(); ++i) {
      const auto& other = tables[t]->schema()->field(static_cast<int>(i));
      if (!other->type()->Equals(*fields[i]->type())) {
        return Status::TypeError("column '", fields[i]->name(), "' is ", fields[i]->type()->ToString(),
                                 " in ", paths[0], " but ", other->type()->ToString(), " in ", paths[t]);
      }
      if (other->nullable() && !fields[i]->nullable()) fields[i] = fields[i]->WithNullable(true);
    }
  }
  return arrow::schema(fields);
}

}  // namespace

Result<std::shared_ptr<arrow::RecordBatchReader>> FetchRows(
    SourceReader& source, const uint64_t* keys, int64_t n, const std::vector<std::string>& columns,
    const IoOptions& io, ThreadPool& pool, int32_t threads, bool recheck_sources) {
  const std::vector<SourceFile>& files = source.files();
  if (n < 0) return Status::Invalid("FetchRows: negative key count");
  if (n > 0 && !keys) return Status::Invalid("FetchRows: null keys");
  for (size_t i = 0; i < columns.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (columns[i] == columns[j]) return Status::Invalid("FetchRows: column '", columns[i], "' asked twice");
    }
  }

  std::vector<std::pair<uint64_t, int64_t>> order(n);
  for (int64_t i = 0; i < n; ++i) {
    const uint32_t f = QV_ROW_KEY_FILE(keys[i]);
    const uint32_t r = QV_ROW_KEY_ROW(keys[i]);
    if (f >= files.size()) {
      return Status::Invalid("row key (file ", f, ", row ", r, ") is outside the index: it has ",
                             files.size(), " files");
    }
    if (static_cast<int64_t>(r) >= files[f].rows) {
      return Status::Invalid("row key (file ", f, ", row ", r, ") is outside ", files[f].path,
                             ", which has ", files[f].rows, " rows");
    }
    order[i] = {keys[i], i};
  }
  std::sort(order.begin(), order.end());

  std::vector<FileSlice> slices;
  for (int64_t j = 0; j < n; ++j) {
    const uint32_t f = QV_ROW_KEY_FILE(order[j].first);
    if (slices.empty() || slices.back().file != f) slices.push_back({f, j, j});
    slices.back().end = j + 1;
  }
  // With no keys the projection still comes from the first file, so that
  // the schema is right and unknown columns are still reported.
  if (slices.empty() && !files.empty()) slices.push_back({0, 0, 0});
  if (slices.empty()) {
    if (!columns.empty()) return NotFound("column '" + columns[0] + "' not found: no files");
    auto schema = arrow::schema({});
    return arrow::RecordBatchReader::Make({}, schema);
  }

  // Files are read in parallel, each with its own coalesced read.
  std::vector<std::shared_ptr<arrow::Table>> tables(slices.size());
  std::vector<std::string> paths;
  for (const FileSlice& s : slices) paths.push_back(files[s.file].path);
  const int64_t n_slices = static_cast<int64_t>(slices.size());
  ARROW_RETURN_NOT_OK(pool.ParallelFor(n_slices, source.Workers(threads, n_slices, io), [&](int64_t i) -> Status {
    const FileSlice& s = slices[i];
    std::vector<int64_t> rows;
    rows.reserve(s.end - s.begin);
    for (int64_t j = s.begin; j < s.end; ++j) rows.push_back(QV_ROW_KEY_ROW(order[j].first));
    ARROW_ASSIGN_OR_RAISE(tables[i], ReadFileRows(source, s.file, rows, columns, io, recheck_sources));
    return Status::OK();
  }));
  ARROW_ASSIGN_OR_RAISE(auto schema, CommonSchema(tables, paths));
  for (auto& t : tables) t = arrow::Table::Make(schema, t->columns(), t->num_rows());
  ARROW_ASSIGN_OR_RAISE(auto sorted, arrow::ConcatenateTables(tables));

  // Row j of `sorted` belongs to key order[j].second: invert to caller order.
  arrow::Int64Builder back;
  ARROW_RETURN_NOT_OK(back.Resize(n));
  std::vector<int64_t> position(n);
  for (int64_t j = 0; j < n; ++j) position[order[j].second] = j;
  ARROW_RETURN_NOT_OK(back.AppendValues(position));
  ARROW_ASSIGN_OR_RAISE(auto back_indices, back.Finish());
  ARROW_ASSIGN_OR_RAISE(arrow::Datum result, arrow::compute::Take(sorted, back_indices));
  ARROW_ASSIGN_OR_RAISE(auto batch, result.table()->CombineChunksToBatch());
  return arrow::RecordBatchReader::Make({batch}, schema);
}

}  // namespace quiver
