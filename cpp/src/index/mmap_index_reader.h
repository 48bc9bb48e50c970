// IndexReader over the memory-mapped binary files of an index (see
// format.h): the base file and any appended segments. Open checks each
// file's header, section table, small sections and every bound in time that
// does not depend on the row count; posting lists are checked on first use.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "index/format.h"
#include "index/index_reader.h"
#include "index/manifest.h"
#include "parquet/storage.h"

namespace quiver {

class MmapIndexReader final : public IndexReader {
 public:
  // The source files are read through `storage` (null: the local file
  // system), which the reader keeps.
  static Result<std::unique_ptr<MmapIndexReader>> OpenMapped(const std::string& index_dir,
                                                             bool check_freshness,
                                                             std::shared_ptr<Storage> storage = nullptr);
  ~MmapIndexReader() override;

  const IndexParams& params() const override { return manifest_.params; }
  const SkipCounts& skipped() const override { return manifest_.skipped; }
  int64_t rows_indexed() const override { return manifest_.rows_indexed; }
  int64_t index_bytes() const override { return index_bytes_; }
  int32_t format_version() const override { return manifest_.format_version; }
  const std::vector<SourceFile>& files() const override { return manifest_.files; }
  const float* centroids() const override { return centroids_; }
  const float* pq_codebooks() const override { return codebooks_; }
  int32_t segments() const override { return static_cast<int32_t>(files_.size()); }
  Result<PostingList> list(int32_t segment, int32_t list) const override;
  bool file_removed(int32_t file) const override { return manifest_.removed(file); }
  Status CheckFileFresh(int32_t file) const override;

  const Manifest& manifest() const { return manifest_; }
  struct SegmentInfo {
    int32_t first_file;
    int32_t n_files;
    int64_t rows_indexed;
    int64_t bytes;
    EncodingError error;
    // FAISS's imbalance factor of its lists: nlist * sum(size^2) / rows^2;
    // 1 when every list holds as many rows, more when a few lists hold most.
    double imbalance;
  };
  SegmentInfo segment_info(int32_t segment) const;  // 0 <= segment < segments()
  Storage& storage() const { return storage_ ? *storage_ : LocalStorage(); }
  int64_t rows_total() const { return manifest_.rows_total; }
  // Reads every byte: every section's checksum and every list's.
  Status VerifyAll() const;
  // VerifyAll of the index that `m`, not yet committed, would make of the
  // binary files in `index_dir`.
  static Status Verify(const std::string& index_dir, const Manifest& m);

 private:
  struct Mapped;  // one binary file
  MmapIndexReader() = default;
  Status Load(const std::string& text, const std::string& manifest_path);
  Status Validate(Mapped* f, bool base);

  std::string dir_;
  std::shared_ptr<Storage> storage_;
  Manifest manifest_;
  int64_t index_bytes_ = 0;
  std::vector<std::unique_ptr<Mapped>> files_;  // the base file, then the segments
  const float* centroids_ = nullptr;
  const float* codebooks_ = nullptr;
};

// Reads every byte of the index in `index_dir` and checks every checksum,
// then every source file's fingerprint: integrity first, so that a corrupt
// index is reported as such even when its source files changed too.
Status VerifyIndexDirectory(const std::string& index_dir);

}  // namespace quiver
