// Items 0..n-1 grouped by a small integer key (a list, a group), keeping
// their order within a key: the build groups rows by list, centroids by
// group and probes by group this way.
#pragma once

#include <cstdint>
#include <numeric>
#include <vector>

namespace quiver {

// `start` gets keys + 1 offsets; key k's items are order[start[k] ..
// start[k + 1]). key_of(i) must lie in [0, keys).
template <typename Index, typename KeyOf>
void CountingSort(Index n, int64_t keys, KeyOf&& key_of, std::vector<Index>* start, std::vector<Index>* order) {
  start->assign(static_cast<size_t>(keys) + 1, 0);
  for (Index i = 0; i < n; ++i) ++(*start)[key_of(i) + 1];
  std::partial_sum(start->begin(), start->end(), start->begin());
  order->resize(static_cast<size_t>(n));
  std::vector<Index> fill(start->begin(), start->end() - 1);
  for (Index i = 0; i < n; ++i) (*order)[fill[key_of(i)]++] = i;
}

}  // namespace quiver
