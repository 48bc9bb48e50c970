#include "search/row_filter.h"

#include <algorithm>

namespace quiver {

RowFilter::RowFilter(const uint64_t* keys, int64_t n) : keys_(keys, keys + n) {
  std::sort(keys_.begin(), keys_.end());
  keys_.erase(std::unique(keys_.begin(), keys_.end()), keys_.end());
}

bool RowFilter::Contains(uint64_t key) const {
  if (keys_.empty() || key < keys_.front() || key > keys_.back()) return false;
  return std::binary_search(keys_.begin(), keys_.end(), key);
}

}  // namespace quiver
