// The k best (distance, key) pairs seen so far. Ties on distance are broken
// by the smaller key, so results never depend on scan order or threading.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "quiver/quiver.h"

namespace quiver {

class TopK {
 public:
  explicit TopK(int64_t k) : k_(k) { heap_.reserve(static_cast<size_t>(std::min<int64_t>(k, 4096))); }

  // True if (dist, key) would enter the current top k.
  bool Accepts(float dist, uint64_t key) const {
    if (static_cast<int64_t>(heap_.size()) < k_) return true;
    return Entry{dist, key} < heap_.front();
  }
  // Call only when Accepts() said so.
  void Push(float dist, uint64_t key) {
    if (static_cast<int64_t>(heap_.size()) == k_) {
      std::pop_heap(heap_.begin(), heap_.end());
      heap_.back() = Entry{dist, key};
    } else {
      heap_.push_back(Entry{dist, key});
    }
    std::push_heap(heap_.begin(), heap_.end());
  }
  // Distance a candidate must beat once the heap is full (+inf before).
  float Bound() const {
    return static_cast<int64_t>(heap_.size()) < k_ ? std::numeric_limits<float>::infinity()
                                                   : heap_.front().dist;
  }

  // Best first into keys[0..k) / dists[0..k); empty slots get QV_NO_ROW, +inf.
  void Drain(uint64_t* keys, float* dists) {
    std::sort_heap(heap_.begin(), heap_.end());
    for (int64_t i = 0; i < k_; ++i) {
      if (i < static_cast<int64_t>(heap_.size())) {
        keys[i] = heap_[i].key;
        dists[i] = heap_[i].dist;
      } else {
        keys[i] = QV_NO_ROW;
        dists[i] = std::numeric_limits<float>::infinity();
      }
    }
    heap_.clear();
  }

 private:
  struct Entry {
    float dist;
    uint64_t key;
    bool operator<(const Entry& o) const { return dist < o.dist || (dist == o.dist && key < o.key); }
  };
  int64_t k_;
  std::vector<Entry> heap_;  // max-heap: the worst kept entry on top
};

}  // namespace quiver
