// The handle's pool: every item runs once, a call never uses more threads
// than it asks for, workers are kept between calls, concurrent callers share
// them, and failures come back to the caller.
#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "common/thread_pool.h"

namespace quiver {
namespace {

// Runs n items on `threads` threads of `pool`; returns the distinct threads
// that ran them and counts each item's runs in `hits`.
std::set<std::thread::id> ThreadsUsed(ThreadPool& pool, int64_t n, int32_t threads, std::vector<int>* hits) {
  std::mutex mu;
  std::set<std::thread::id> seen;
  hits->assign(n, 0);
  Status st = pool.ParallelFor(n, threads, [&](int64_t i) {
    std::lock_guard<std::mutex> lock(mu);
    seen.insert(std::this_thread::get_id());
    ++(*hits)[i];
    return Status::OK();
  });
  EXPECT_TRUE(st.ok()) << st.ToString();
  return seen;
}

TEST(ThreadPool, EachItemOnceAndNeverMoreThreadsThanAsked) {
  ThreadPool pool;
  std::vector<int> hits;
  for (int32_t threads : {1, 2, 3}) {
    auto seen = ThreadsUsed(pool, 1000, threads, &hits);
    EXPECT_LE(static_cast<int32_t>(seen.size()), threads);
    for (int h : hits) ASSERT_EQ(h, 1);
  }
}

TEST(ThreadPool, OneThreadStartsNoneAndWorkersAreKept) {
  ThreadPool pool;
  std::vector<int> hits;
  for (int i = 0; i < 50; ++i) ThreadsUsed(pool, 64, 1, &hits);
  EXPECT_EQ(pool.threads_started(), 0);
  for (int i = 0; i < 50; ++i) ThreadsUsed(pool, 64, 3, &hits);
  EXPECT_EQ(pool.threads_started(), 2);  // the caller is the third
}

TEST(ThreadPool, ConcurrentCallersShareTheWorkers) {
  ThreadPool pool;
  std::vector<std::thread> callers;
  std::vector<int64_t> sums(4, 0);
  for (int c = 0; c < 4; ++c) {
    callers.emplace_back([&, c] {
      for (int round = 0; round < 20; ++round) {
        std::vector<int64_t> out(500, 0);
        Status st = pool.ParallelFor(500, 2, [&](int64_t i) {
          out[i] = i;
          return Status::OK();
        });
        ASSERT_TRUE(st.ok());
        for (int64_t v : out) sums[c] += v;
      }
    });
  }
  for (auto& t : callers) t.join();
  for (int64_t s : sums) EXPECT_EQ(s, 20 * (499 * 500 / 2));
  EXPECT_LE(pool.threads_started(), 1);  // each call asks for one helper at most
}

TEST(ThreadPool, FirstFailureAndExceptionsReachTheCaller) {
  ThreadPool pool;
  Status st = pool.ParallelFor(100, 2, [&](int64_t i) {
    return i == 37 ? Status::Invalid("item 37") : Status::OK();
  });
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("item 37"), std::string::npos);
  EXPECT_THROW((void)pool.ParallelFor(100, 2, [&](int64_t i) -> Status {
                 if (i == 5) throw std::runtime_error("boom");
                 return Status::OK();
               }),
               std::runtime_error);
  // The pool still works after both.
  std::vector<int> hits;
  ThreadsUsed(pool, 10, 2, &hits);
  for (int h : hits) EXPECT_EQ(h, 1);
}

}  // namespace
}  // namespace quiver
