#include "index/maintenance.h"

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "index/format.h"
#include "index/mmap_index_reader.h"

namespace quiver {
namespace fs = std::filesystem;
namespace {

// The reader of the index in `index_dir`, opened under `lock`.
Result<std::unique_ptr<MmapIndexReader>> OpenLocked(const std::string& index_dir) {
  std::error_code ec;
  if (!fs::exists(fs::path(index_dir) / format::kManifestName, ec)) {
    return NotFound("no index at '" + index_dir + "'");
  }
  return MmapIndexReader::OpenMapped(index_dir, /*check_freshness=*/false);
}

}  // namespace

Status RemoveFiles(const std::string& index_dir, const std::vector<std::string>& paths) {
  if (paths.empty()) return Status::Invalid("no file to remove given");
  ARROW_ASSIGN_OR_RAISE(IndexLock lock, IndexLock::Acquire(index_dir));
  ARROW_ASSIGN_OR_RAISE(auto index, OpenLocked(index_dir));
  Manifest next = index->manifest();
  std::vector<int32_t> removed = next.removed_files;
  for (const std::string& path : paths) {
    // A local file is recorded by its absolute path.
    std::error_code ec;
    const std::string absolute = fs::absolute(path, ec).lexically_normal().string();
    int32_t found = -1;
    for (int32_t i = 0; i < static_cast<int32_t>(next.files.size()) && found < 0; ++i) {
      const std::string& recorded = next.files[i].path;
      if (!next.removed(i) && (recorded == path || (!ec && recorded == absolute))) found = i;
    }
    if (found < 0) return NotFound("'" + path + "' is not a file of the index at '" + index_dir + "'");
    removed.push_back(found);
  }
  std::sort(removed.begin(), removed.end());
  removed.erase(std::unique(removed.begin(), removed.end()), removed.end());
  for (int32_t f : removed) {
    if (next.removed(f)) continue;
    next.rows_total -= next.files[f].rows;
    next.rows_indexed -= next.files[f].rows_indexed;
  }
  next.removed_files = std::move(removed);
  return CommitManifest(index_dir, lock, std::move(next));
}

Status CompactIndex(const std::string& index_dir, const WriteProgress& progress) {
  ARROW_ASSIGN_OR_RAISE(IndexLock lock, IndexLock::Acquire(index_dir));
  ARROW_ASSIGN_OR_RAISE(auto index, OpenLocked(index_dir));
  const Manifest& m = index->manifest();
  if (m.segments.empty() && m.removed_files.empty()) return Status::OK();

  // Old ordinal -> new ordinal (-1: removed). Keeping the order keeps every
  // list in key order, as a build writes it.
  std::vector<int64_t> renumber(m.files.size(), -1);
  IndexContents c;
  Manifest& next = c.manifest;
  next.params = m.params;
  next.rows_total = m.rows_total;
  next.rows_indexed = m.rows_indexed;
  next.skipped = m.skipped;
  for (size_t i = 0; i < m.files.size(); ++i) {
    if (m.removed(static_cast<int32_t>(i))) continue;
    renumber[i] = static_cast<int64_t>(next.files.size());
    next.files.push_back(m.files[i]);
  }

  const int32_t nlist = m.params.nlist, pq_m = m.params.pq_m;
  c.list_sizes.assign(nlist, 0);
  for (int32_t l = 0; l < nlist; ++l) {
    for (int32_t g = 0; g < index->segments(); ++g) {
      ARROW_ASSIGN_OR_RAISE(PostingList list, index->list(g, l));
      for (int64_t i = 0; i < list.size; ++i) {
        const uint32_t file = QV_ROW_KEY_FILE(list.keys[i]);
        if (file >= renumber.size()) {
          return CorruptIndex("corrupt index '" + index_dir + "': row key " + std::to_string(list.keys[i]) +
                              " names no file");
        }
        if (renumber[file] >= 0) ++c.list_sizes[l];
      }
    }
  }
  int64_t rows = 0;
  for (int64_t s : c.list_sizes) rows += s;
  if (rows != next.rows_indexed) {
    return CorruptIndex("corrupt index '" + index_dir + "': its lists hold " + std::to_string(rows) +
                        " rows of its files, its manifest says " + std::to_string(next.rows_indexed));
  }
  c.centroids = index->centroids();
  c.codebooks = index->pq_codebooks();
  c.fill_list = [&](int32_t l, uint8_t* codes, uint64_t* keys) -> Status {
    int64_t out = 0;
    for (int32_t g = 0; g < index->segments(); ++g) {
      ARROW_ASSIGN_OR_RAISE(PostingList list, index->list(g, l));
      for (int64_t i = 0; i < list.size; ++i) {
        const int64_t file = renumber[QV_ROW_KEY_FILE(list.keys[i])];
        if (file < 0) continue;
        std::memcpy(codes + out * pq_m, list.codes + i * pq_m, pq_m);
        keys[out++] = QV_ROW_KEY(file, QV_ROW_KEY_ROW(list.keys[i]));
      }
    }
    return Status::OK();
  };
  return WriteIndex(index_dir, lock, std::move(c), progress);
}

}  // namespace quiver
