// Deleted rows: the row keys a search must never return.
#pragma once

#include <cstdint>
#include <vector>

namespace quiver {

class RowFilter {
 public:
  // `keys` in any order, duplicates allowed.
  RowFilter(const uint64_t* keys, int64_t n);

  bool Contains(uint64_t key) const;
  int64_t size() const { return static_cast<int64_t>(keys_.size()); }

 private:
  std::vector<uint64_t> keys_;  // sorted, unique
};

}  // namespace quiver
