// What a handle keeps of its source files between reads, least recently
// used first out, within one byte budget: decoded vector pages (refinement)
// and raw column chunks (fetch). Items are shared, so one being read stays
// valid while the cache drops it.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "parquet/vector_column.h"

namespace quiver {

class CachedItem {
 public:
  virtual ~CachedItem() = default;
  virtual int64_t bytes() const = 0;
};

// The rows of one page unit as contiguous float32 vectors.
struct DecodedPage final : CachedItem {
  std::vector<float> vectors;  // num_rows * dim
  std::vector<RowStatus> status;
  int64_t bytes() const override {
    return static_cast<int64_t>(vectors.size() * sizeof(float) + status.size()) + 64;
  }
};

enum class CacheKind : uint8_t { kVectorPage, kColumnChunk };

// A vector page unit (`part` = unit) or a column chunk (`part` = leaf column).
struct PageId {
  uint32_t file = 0;
  uint32_t row_group = 0;
  uint32_t unit = 0;
  CacheKind kind = CacheKind::kVectorPage;
  bool operator==(const PageId&) const = default;
};

class PageCache {
 public:
  explicit PageCache(int64_t budget_bytes) : budget_(budget_bytes) {}

  // The item under `id`, of the type its kind stores.
  template <typename T>
  std::shared_ptr<const T> Find(const PageId& id) {
    return std::static_pointer_cast<const T>(FindItem(id));
  }
  // Keeps `item` unless it alone exceeds the budget; evicts the oldest items.
  void Insert(const PageId& id, std::shared_ptr<const CachedItem> item);
  void SetBudget(int64_t bytes);
  int64_t bytes() const;

 private:
  std::shared_ptr<const CachedItem> FindItem(const PageId& id);
  struct Hash {
    size_t operator()(const PageId& id) const {
      return std::hash<uint64_t>()((uint64_t{id.file} << 40) ^ (uint64_t{id.row_group} << 24) ^ id.unit ^
                                   (uint64_t{static_cast<uint8_t>(id.kind)} << 62));
    }
  };
  struct Entry {
    std::shared_ptr<const CachedItem> item;
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
