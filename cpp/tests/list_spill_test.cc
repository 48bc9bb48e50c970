// The encoder's spill: what goes in comes out per list, in key order,
// whatever the threads' interleaving; nothing is left on disk.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>
#include <thread>

#include "build/list_spill.h"
#include "support/temp_dir.h"

namespace quiver {
namespace {

namespace fs = std::filesystem;

int Entries(const std::string& dir) {
  return static_cast<int>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

TEST(ListSpill, ListsComeBackInKeyOrderAcrossBucketsAndThreads) {
  testing::TempDir dir("list_spill");
  const int32_t nlist = 37, code = 5;
  const int64_t rows = 20000;
  // Small buckets: several lists per bucket and many buckets.
  auto spill = ListSpill::Create(dir.path(), nlist, code, rows, 30000);
  ASSERT_TRUE(spill.ok()) << spill.status().ToString();
  EXPECT_GT((*spill)->buckets(), 8);
  EXPECT_LT((*spill)->buckets(), nlist);

  // Every row: list = f(key), code bytes from the key. Two threads add
  // halves of the rows in shuffled order.
  auto list_of = [&](uint64_t key) { return static_cast<int32_t>((key * 2654435761u) % nlist); };
  std::vector<uint64_t> keys(rows);
  for (int64_t i = 0; i < rows; ++i) keys[i] = (static_cast<uint64_t>(i % 3) << 32) | static_cast<uint64_t>(i);
  std::shuffle(keys.begin(), keys.end(), std::mt19937_64(1));
  std::vector<Status> status(2);
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      ListSpill::Appender out(spill->get());
      for (int64_t i = t; i < rows; i += 2) {
        uint8_t c[code];
        for (int j = 0; j < code; ++j) c[j] = static_cast<uint8_t>(keys[i] * 31 + j);
        Status st = out.Add(list_of(keys[i]), keys[i], c);
        if (!st.ok()) {
          status[t] = st;
          return;
        }
      }
      status[t] = out.Flush();
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_TRUE(status[0].ok() && status[1].ok());
  EXPECT_EQ(Entries(dir.path()), 0) << "the spill files have no names";

  std::map<int32_t, std::vector<uint64_t>> want;
  for (uint64_t k : keys) want[list_of(k)].push_back(k);
  int64_t total = 0;
  for (int32_t l = 0; l < nlist; ++l) {
    auto& w = want[l];
    std::sort(w.begin(), w.end());
    ASSERT_EQ((*spill)->list_sizes()[l], static_cast<int64_t>(w.size()));
    std::vector<uint8_t> codes(w.size() * code);
    std::vector<uint64_t> got(w.size());
    ASSERT_TRUE((*spill)->ReadList(l, codes.data(), got.data()).ok());
    EXPECT_EQ(got, w) << "list " << l;
    for (size_t i = 0; i < w.size(); ++i) {
      for (int j = 0; j < code; ++j) ASSERT_EQ(codes[i * code + j], static_cast<uint8_t>(w[i] * 31 + j));
    }
    total += static_cast<int64_t>(w.size());
  }
  EXPECT_EQ(total, rows);

  // Going back is a clear error, not wrong data.
  std::vector<uint8_t> codes(want[0].size() * code);
  std::vector<uint64_t> got(want[0].size());
  Status back = (*spill)->ReadList(0, codes.data(), got.data());
  EXPECT_FALSE(back.ok());
  EXPECT_NE(back.ToString().find("in order"), std::string::npos) << back.ToString();
}

TEST(ListSpill, IndexDirectoryNeedNotExistAndIsNotCreated) {
  testing::TempDir dir("list_spill_parent");
  const std::string index_dir = dir / "not/yet/there";
  auto spill = ListSpill::Create(index_dir, 4, 2, 10);
  ASSERT_TRUE(spill.ok()) << spill.status().ToString();
  EXPECT_EQ((*spill)->buckets(), 1);
  ListSpill::Appender out(spill->get());
  const uint8_t c[2] = {7, 9};
  ASSERT_TRUE(out.Add(3, 42, c).ok());
  ASSERT_TRUE(out.Flush().ok());
  EXPECT_FALSE(fs::exists(dir / "not"));
  EXPECT_EQ(Entries(dir.path()), 0);
  std::vector<uint8_t> codes(2);
  std::vector<uint64_t> keys(1);
  ASSERT_TRUE((*spill)->ReadList(3, codes.data(), keys.data()).ok());
  EXPECT_EQ(keys[0], 42u);
  EXPECT_EQ(codes, (std::vector<uint8_t>{7, 9}));
  EXPECT_EQ((*spill)->list_sizes(), (std::vector<int64_t>{0, 0, 0, 1}));
}

}  // namespace
}  // namespace quiver
