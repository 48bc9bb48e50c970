#include "parquet/page_cache.h"

namespace quiver {

std::shared_ptr<const CachedItem> PageCache::FindItem(const PageId& id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second.lru);
  return it->second.item;
}

void PageCache::Insert(const PageId& id, std::shared_ptr<const CachedItem> item) {
  const int64_t size = item->bytes();
  std::lock_guard<std::mutex> lock(mu_);
  if (size > budget_) return;
  auto it = entries_.find(id);
  if (it != entries_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    return;
  }
  lru_.push_front(id);
  entries_.emplace(id, Entry{std::move(item), lru_.begin()});
  bytes_ += size;
  EvictLocked();
}

void PageCache::SetBudget(int64_t bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  budget_ = bytes;
  EvictLocked();
}

int64_t PageCache::bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_;
}

void PageCache::EvictLocked() {
  while (bytes_ > budget_ && !lru_.empty()) {
    auto it = entries_.find(lru_.back());
    bytes_ -= it->second.item->bytes();
    entries_.erase(it);
    lru_.pop_back();
  }
}

}  // namespace quiver
