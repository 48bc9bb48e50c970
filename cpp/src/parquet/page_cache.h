// Decoded vector pages kept between reads, least recently used first out,
// bounded by a byte budget. Pages are shared, so one being read stays valid
// while the cache drops it.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "parquet/vector_column.h"

namespace quiver {

// The rows of one page unit as contiguous float32 vectors.
struct DecodedPage {
  std::vector<float> vectors;  // num_rows * dim
  std::vector<RowStatus> status;
  int64_t bytes() const {
    return static_cast<int64_t>(vectors.size() * sizeof(float) + status.size()) + 64;
  }
};

struct PageId {
  uint32_t file = 0;
  uint32_t row_group = 0;
  uint32_t unit = 0;
  bool operator==(const PageId&) const = default;
};

class PageCache {
 public:
  explicit PageCache(int64_t budget_bytes) : budget_(budget_bytes) {}

  std::shared_ptr<const DecodedPage> Find(const PageId& id);
  // Keeps `page` unless it alone exceeds the budget; evicts the oldest pages.
  void Insert(const PageId& id, std::shared_ptr<const DecodedPage> page);
  void SetBudget(int64_t bytes);
  int64_t bytes() const;

 private:
  struct Hash {
    size_t operator()(const PageId& id) const {
      return std::hash<uint64_t>()((uint64_t{id.file} << 40) ^ (uint64_t{id.row_group} << 24) ^ id.unit);
    }
  };
  struct Entry {
    std::shared_ptr<const DecodedPage> page;
    std::list<PageId>::iterator lru;
  };
  void EvictLocked();

  mutable std::mutex mu_;
  int64_t budget_;
  int64_t bytes_ = 0;
  std::list<PageId> lru_;  // most recent first
  std::unordered_map<PageId, Entry, Hash> entries_;
};

}  // namespace quiver
