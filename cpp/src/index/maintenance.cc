#include "index/maintenance.h"

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "common/metric.h"
#include "index/mmap_index_reader.h"
#include "index/segment_file.h"

namespace quiver {
namespace fs = std::filesystem;
Status RemoveFiles(const std::string& index_dir, const std::vector<std::string>& paths) {
  if (paths.empty()) return Status::Invalid("no file to remove given");
  ARROW_ASSIGN_OR_RAISE(IndexLock lock, IndexLock::AcquireExisting(index_dir));
  ARROW_ASSIGN_OR_RAISE(auto index, MmapIndexReader::OpenMapped(index_dir, /*check_freshness=*/false));
  Manifest next = index->manifest();
  std::vector<int32_t> removed = next.removed_files;
  for (const std::string& path : paths) {
    // A local file is recorded by its absolute path.
    std::error_code ec;
    const std::string absolute = fs::absolute(path, ec).lexically_normal().string();
    int32_t found = next.live_file(path);
    if (found < 0 && !ec) found = next.live_file(absolute);
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

namespace {

// One base file over the live rows of `parts`, in order: their files not
// removed, renumbered from 0 in order, and their lists concatenated. Every
// list stays in key order, as a build writes it. The parts share their
// quantizers (checked by the callers).
Status WriteConcatenation(const std::string& index_dir, const IndexLock& lock,
                          const std::vector<const MmapIndexReader*>& parts, const WriteProgress& progress) {
  const MmapIndexReader& first = *parts.front();
  IndexContents c;
  Manifest& next = c.manifest;
  next.params = first.params();
  // Old (part, ordinal) -> new ordinal, -1 when removed.
  std::vector<std::vector<int64_t>> renumber(parts.size());
  for (size_t p = 0; p < parts.size(); ++p) {
    const Manifest& m = parts[p]->manifest();
    renumber[p].assign(m.files.size(), -1);
    for (size_t i = 0; i < m.files.size(); ++i) {
      if (m.removed(static_cast<int32_t>(i))) continue;
      renumber[p][i] = static_cast<int64_t>(next.files.size());
      next.files.push_back(m.files[i]);
    }
    next.rows_total += m.rows_total;
    next.rows_indexed += m.rows_indexed;
    next.skipped.null_vector += m.skipped.null_vector;
    next.skipped.wrong_length += m.skipped.wrong_length;
    next.skipped.non_finite += m.skipped.non_finite;
  }

  // The errors of the merged rows: each segment's, weighted by its rows.
  double coarse = 0, pq = 0, weight = 0;
  for (const MmapIndexReader* part : parts) {
    for (int32_t g = 0; g < part->segments(); ++g) {
      const MmapIndexReader::SegmentInfo info = part->segment_info(g);
      coarse += info.error.coarse * static_cast<double>(info.rows_indexed);
      pq += info.error.pq * static_cast<double>(info.rows_indexed);
      weight += static_cast<double>(info.rows_indexed);
    }
  }
  if (weight > 0) next.base_error = {coarse / weight, pq / weight};

  const int32_t nlist = next.params.nlist, pq_m = next.params.pq_m;
  c.list_sizes.assign(nlist, 0);
  for (size_t p = 0; p < parts.size(); ++p) {
    const MmapIndexReader& index = *parts[p];
    for (int32_t l = 0; l < nlist; ++l) {
      for (int32_t g = 0; g < index.segments(); ++g) {
        ARROW_ASSIGN_OR_RAISE(PostingList list, index.list(g, l));
        for (int64_t i = 0; i < list.size; ++i) {
          const uint32_t file = QV_ROW_KEY_FILE(list.keys[i]);
          if (file >= renumber[p].size()) {
            return CorruptIndex("corrupt index '" + index_dir + "': row key " + std::to_string(list.keys[i]) +
                                " names no file");
          }
          if (renumber[p][file] >= 0) ++c.list_sizes[l];
        }
      }
    }
  }
  int64_t rows = 0;
  for (int64_t n : c.list_sizes) rows += n;
  if (rows != next.rows_indexed) {
    return CorruptIndex("corrupt index: the lists hold " + std::to_string(rows) + " rows of live files, the " +
                        "manifests say " + std::to_string(next.rows_indexed));
  }
  c.centroids = first.centroids();
  c.codebooks = first.pq_codebooks();
  c.fill_list = [&](int32_t l, uint8_t* codes, uint64_t* keys) -> Status {
    int64_t out = 0;
    for (size_t p = 0; p < parts.size(); ++p) {
      const MmapIndexReader& index = *parts[p];
      for (int32_t g = 0; g < index.segments(); ++g) {
        ARROW_ASSIGN_OR_RAISE(PostingList list, index.list(g, l));
        for (int64_t i = 0; i < list.size; ++i) {
          const int64_t file = renumber[p][QV_ROW_KEY_FILE(list.keys[i])];
          if (file < 0) continue;
          std::memcpy(codes + out * pq_m, list.codes + i * pq_m, pq_m);
          keys[out++] = QV_ROW_KEY(file, QV_ROW_KEY_ROW(list.keys[i]));
        }
      }
    }
    return Status::OK();
  };
  return WriteIndex(index_dir, lock, std::move(c), progress);
}

// Why `part` cannot be merged with `first`, or OK: the same parameters and
// the same quantizers, byte for byte.
Status CheckSameQuantizers(const MmapIndexReader& first, const MmapIndexReader& part, const std::string& part_dir) {
  const IndexParams& a = first.params();
  const IndexParams& b = part.params();
  auto differ = [&](const std::string& what) {
    return Status::Invalid("the index at '", part_dir, "' has other ", what,
                           " than the first: indexes merge only when built with the same quantizers "
                           "(BuildParams quantizers_from)");
  };
  if (a.dim != b.dim || a.metric != b.metric || a.nlist != b.nlist || a.pq_m != b.pq_m) return differ("parameters");
  if (a.vector_column != b.vector_column) return differ("a vector column");
  const size_t centroid_bytes = static_cast<size_t>(a.nlist) * a.dim * sizeof(float);
  const size_t codebook_bytes = static_cast<size_t>(a.pq_m) * 256 * (a.dim / a.pq_m) * sizeof(float);
  if (std::memcmp(first.centroids(), part.centroids(), centroid_bytes) != 0 ||
      std::memcmp(first.pq_codebooks(), part.pq_codebooks(), codebook_bytes) != 0) {
    return differ("quantizers");
  }
  return Status::OK();
}

}  // namespace

Status CompactIndex(const std::string& index_dir, const WriteProgress& progress) {
  ARROW_ASSIGN_OR_RAISE(IndexLock lock, IndexLock::AcquireExisting(index_dir));
  ARROW_ASSIGN_OR_RAISE(auto index, MmapIndexReader::OpenMapped(index_dir, /*check_freshness=*/false));
  const Manifest& m = index->manifest();
  if (m.segments.empty() && m.removed_files.empty()) return Status::OK();
  return WriteConcatenation(index_dir, lock, {index.get()}, progress);
}

Status MergeIndexes(const std::vector<std::string>& part_dirs, const std::string& index_dir,
                    const WriteProgress& progress) {
  if (part_dirs.empty()) return Status::Invalid("no index to merge given");
  std::vector<std::unique_ptr<MmapIndexReader>> parts;
  std::vector<const MmapIndexReader*> views;
  for (const std::string& dir : part_dirs) {
    if (dir == index_dir) return Status::Invalid("'", dir, "' is both a part and the merged index");
    ARROW_ASSIGN_OR_RAISE(auto part, MmapIndexReader::OpenMapped(dir, /*check_freshness=*/false));
    if (!parts.empty()) ARROW_RETURN_NOT_OK(CheckSameQuantizers(*parts.front(), *part, dir));
    views.push_back(part.get());
    parts.push_back(std::move(part));
  }
  ARROW_ASSIGN_OR_RAISE(IndexLock lock, IndexLock::Acquire(index_dir));
  return WriteConcatenation(index_dir, lock, views, progress);
}

Status CommitSegmentFiles(const std::string& index_dir, const std::string& base_dir,
                          const std::vector<std::string>& segment_paths) {
  if (segment_paths.empty()) return Status::Invalid("no segment file to commit given");
  std::vector<SegmentFile> segments;
  for (const std::string& path : segment_paths) {
    ARROW_ASSIGN_OR_RAISE(SegmentFile g, ReadSegmentFile(path));
    for (const SegmentFile& before : segments) {
      if (before.ref.build_id == g.ref.build_id) {
        return Status::Invalid("the segment file '", path, "' is given twice (as '", before.path, "')");
      }
    }
    segments.push_back(std::move(g));
  }

  const bool replace = !base_dir.empty();
  std::error_code ec;
  if (replace && fs::equivalent(base_dir, index_dir, ec)) {
    return Status::Invalid("'", base_dir, "' is both the base and the index committed to: leave the base empty "
                           "to add segments to an index");
  }
  ARROW_ASSIGN_OR_RAISE(IndexLock lock, replace ? IndexLock::Acquire(index_dir) : IndexLock::AcquireExisting(index_dir));
  const std::string& from_dir = replace ? base_dir : index_dir;
  ARROW_ASSIGN_OR_RAISE(auto base, MmapIndexReader::OpenMapped(from_dir, /*check_freshness=*/false));
  const Manifest& m = base->manifest();
  const IndexParams& p = m.params;

  int32_t next_file = static_cast<int32_t>(m.files.size());
  for (const SegmentFile& g : segments) {
    const format::MetaSection& meta = g.meta;
    if (meta.quantizer_id != m.build_id) {
      return Status::Invalid("the segment file '", g.path, "' was encoded with the quantizers of another index ",
                             "than the one at '", from_dir, "' (base file ", format::Hex16(meta.quantizer_id),
                             ", not ", format::Hex16(m.build_id), ")");
    }
    if (meta.dim != p.dim || meta.nlist != p.nlist || meta.pq_m != p.pq_m || meta.pq_bits != p.pq_bits ||
        meta.metric != MetricCode(p.metric)) {
      return CorruptIndex("corrupt segment file '" + g.path + "': its parameters are not its base index's");
    }
    if (meta.first_file != next_file) {
      return Status::Invalid("the segment file '", g.path, "' holds files from ordinal ", meta.first_file, ", but ",
                             next_file, " comes next: segments are committed in the order of their files, ",
                             "each following the index's and the previous segment's");
    }
    next_file += meta.n_files;
    for (const SourceFile& f : g.described.files) {
      if (const int32_t i = m.live_file(f.path); i >= 0) {
        return Status::Invalid("'", f.path, "' of the segment file '", g.path, "' is already in the index (file ",
                               i, ")");
      }
    }
  }

  std::vector<std::string> carried;
  if (replace) {
    carried.push_back((fs::path(from_dir) / m.index_file).string());
    for (const SegmentRef& g : m.segments) carried.push_back((fs::path(from_dir) / g.file).string());
  }
  // Every byte of the new index is read before it is committed: a segment
  // file damaged on its way here is refused, not served.
  return CommitSegments(index_dir, lock, m, carried, segments, [&](const Manifest& next) {
    return MmapIndexReader::Verify(index_dir, next);
  });
}

}  // namespace quiver
