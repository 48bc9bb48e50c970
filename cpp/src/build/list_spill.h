// Encoded rows on their way to the index file, kept on disk so that a
// build's memory does not grow with the corpus. Each row's (list, key, code)
// goes to one of a few bucket files, by list range; the index writer then
// reads the lists in order, one bucket in memory at a time (sorted by list,
// then by key, so the index does not depend on thread timing). The files
// have no name (O_TMPFILE, or unlinked as soon as created) and sit on the
// index's own file system: whatever happens to the build, nothing is left.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"

namespace quiver {

class ListSpill {
 public:
  // Buckets are sized so that one holds about `bucket_bytes` of records.
  static constexpr int64_t kDefaultBucketBytes = int64_t{64} << 20;

  // `near_path`: the index directory; the files go into it, or into its
  // closest existing ancestor when it does not exist yet. `rows` is how many
  // rows will be added at most (it sets the number of buckets).
  static Result<std::unique_ptr<ListSpill>> Create(const std::string& near_path, int32_t nlist,
                                                   int32_t code_size, int64_t rows,
                                                   int64_t bucket_bytes = kDefaultBucketBytes);
  ~ListSpill();
  ListSpill(const ListSpill&) = delete;
  ListSpill& operator=(const ListSpill&) = delete;

  // Buffers the records of one thread; Flush() before the spill is read.
  class Appender {
   public:
    explicit Appender(ListSpill* spill);
    Status Add(int32_t list, uint64_t key, const uint8_t* code);
    Status Flush();

   private:
    ListSpill* spill_;
    std::vector<std::vector<uint8_t>> buffers_;  // per bucket
    std::vector<int64_t> counts_;                // per list
  };

  // Rows per list, once every appender has flushed.
  const std::vector<int64_t>& list_sizes() const { return list_sizes_; }
  int32_t buckets() const { return static_cast<int32_t>(buckets_.size()); }

  // The list_sizes()[list] codes and keys of `list`, in key order. Lists
  // must be read in increasing order.
  Status ReadList(int32_t list, uint8_t* codes, uint64_t* keys);

 private:
  ListSpill(int32_t nlist, int32_t code_size, int32_t lists_per_bucket);
  size_t record_size() const { return sizeof(int32_t) + sizeof(uint64_t) + code_size_; }
  Status Write(int32_t bucket, const uint8_t* data, size_t n);
  Status LoadBucket(int32_t bucket);

  struct Bucket {
    int fd = -1;
    std::atomic<int64_t> size{0};
  };
  const int32_t nlist_, code_size_, lists_per_bucket_;
  std::string dir_;
  std::vector<std::unique_ptr<Bucket>> buckets_;
  std::mutex counts_mu_;
  std::vector<int64_t> list_sizes_;

  // The bucket being read: its records, and where each of its lists starts
  // in `order_` (record indices sorted by list, then key).
  int32_t loaded_ = -1;
  std::vector<uint8_t> records_;
  std::vector<int64_t> order_, list_start_;
};

}  // namespace quiver
