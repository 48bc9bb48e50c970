// Writes an index directory atomically. Every binary file goes to a
// temporary name, is synced and renamed to a name unique to it; then
// manifest.json (which names every binary file of the index) is written the
// same way and renamed into place. That rename is the commit point: until it
// happens a reader sees the previous index, byte for byte, and on any failure
// every file this write created is removed. After the commit, files the new
// manifest no longer names are removed.
//
// Writers of one directory take turns: each commit runs under the
// directory's lock (flock on the directory itself), and an append, a removal or a
// compaction holds it from reading the manifest to committing the next one,
// so that none of them builds on a manifest that another has replaced.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/status.h"
#include "index/manifest.h"
#include "index/segment_file.h"

namespace quiver {

// Fills list `list`'s codes (pq_m bytes each) and row keys. Called once per
// non-empty list, in list order.
using FillList = std::function<Status(int32_t list, uint8_t* codes, uint64_t* keys)>;

struct IndexContents {
  // Everything but the index_file fields, which the writer fills in.
  Manifest manifest;
  const float* centroids = nullptr;  // nlist * dim
  const float* codebooks = nullptr;  // pq_m * 256 * (dim / pq_m)
  std::vector<int64_t> list_sizes;   // nlist entries, summing to rows_indexed
  FillList fill_list;
};

// The posting lists of files [first_file, first_file + described.files.size()).
struct SegmentContents {
  SegmentFiles described;
  int32_t first_file = 0;
  std::vector<int64_t> list_sizes;  // nlist entries
  FillList fill_list;
};

// `progress(bytes_done, bytes_total)`; a non-OK status aborts the write.
using WriteProgress = std::function<Status(int64_t done, int64_t total)>;

// An exclusive hold on an index directory's lock, released on destruction.
class IndexLock {
 public:
  // Waits for the lock; creates the directory when needed (a new index).
  static Result<IndexLock> Acquire(const std::string& index_dir);
  // The same for a change of the index there: NotFound when the directory
  // is missing, and nothing is created.
  static Result<IndexLock> AcquireExisting(const std::string& index_dir);
  IndexLock(IndexLock&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  IndexLock& operator=(IndexLock&&) = delete;
  ~IndexLock();

 private:
  explicit IndexLock(int fd) : fd_(fd) {}
  static Result<IndexLock> Lock(const std::string& index_dir);
  int fd_;
};

// A new index: the base file and a version 1 manifest, replacing whatever
// the directory held. The second form is for a writer that holds the lock.
Status WriteIndex(const std::string& index_dir, IndexContents contents,
                  const WriteProgress& progress);
Status WriteIndex(const std::string& index_dir, const IndexLock& lock, IndexContents contents,
                  const WriteProgress& progress);

// Appends a segment to the index whose manifest is `current` (read under
// `lock`): `next` is `current` with the segment's files, rows and counts
// added, its segments and version left to the writer.
Status WriteSegment(const std::string& index_dir, const IndexLock& lock, Manifest next,
                    SegmentContents contents, const WriteProgress& progress);

// Commits `next` as a version 2 manifest over the binary files it names,
// which must exist (a removal: no new binary file).
Status CommitManifest(const std::string& index_dir, const IndexLock& lock, Manifest next);

// A build id no binary file in `dir` has.
uint64_t NewBuildId(const std::string& dir);

// Writes a segment file to `path` (through a temporary name: a crash leaves
// nothing under `path`) for files [c.first_file, ...) of an index with
// parameters `p` and base file `quantizer_id`, to be committed later. Returns
// what the manifest that commits it records, its name being the one it takes
// in an index directory.
Result<SegmentRef> WriteSegmentFile(const std::string& path, uint64_t build_id, const IndexParams& p,
                                    uint64_t quantizer_id, const SegmentContents& c,
                                    const WriteProgress& progress);

// Commits `next` with `segments` added after its files, in order. Each
// segment file, and each file of `carried` (binary files of another index
// directory that `next` names, such as the base file of an index trained
// elsewhere), is linked (or copied) into the index directory first, under
// the name the manifest gives it; `verify(m)` then checks the index `m`
// would be over the placed files, and only then is `m` committed. On any
// failure the placed files are removed and the index is as it was; the
// originals are never changed.
Status CommitSegments(const std::string& index_dir, const IndexLock& lock, Manifest next,
                      const std::vector<std::string>& carried, const std::vector<SegmentFile>& segments,
                      const std::function<Status(const Manifest&)>& verify);

}  // namespace quiver
