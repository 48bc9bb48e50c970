// A caller-supplied file source (qv_file_source_create): an index built and
// searched through it answers exactly as one over the local files, every byte
// of a source file comes through its callbacks (its paths are not local
// paths at all), and a failing callback is a clear error naming the path.
#include <arrow/api.h>
#include <arrow/c/bridge.h>
#include <arrow/io/interfaces.h>
#include <arrow/util/thread_pool.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "quiver/quiver.h"
#include "support/index_testing.h"
#include "support/parquet_writers.h"
#include "support/temp_dir.h"

namespace quiver {
namespace {

using namespace quiver::testing;

constexpr char kScheme[] = "test://bucket";

// Serves "test://bucket/<name>" from a local directory, counting what it
// serves; `fail_reads` makes every read fail as a remote store might.
struct TestSource {
  std::string dir;
  std::atomic<int64_t> stats{0}, opens{0}, read_calls{0}, ranges{0}, bytes{0}, open_files{0};
  std::atomic<bool> fail_reads{false};
  // With `overlap_reads`, a read waits (up to 10 s) for a second one to be in
  // flight: reads that never overlap take the full wait each and are seen.
  std::atomic<bool> overlap_reads{false};
  std::atomic<int32_t> in_flight{0}, most_in_flight{0};
  // Reads made on a thread of Arrow's own pools: a host such as the JVM
  // attaches the threads that call it, and Arrow joins its pools at process
  // exit, when the host can no longer let them detach (the exit hangs).
  std::atomic<int64_t> reads_on_arrow_threads{0};

  std::string Local(const char* path) const {
    const std::string p(path);
    if (p.rfind(kScheme, 0) != 0) return "";
    return dir + p.substr(sizeof(kScheme) - 1);
  }
};

void SetError(char* error, int32_t cap, const std::string& message) {
  std::snprintf(error, static_cast<size_t>(cap), "%s", message.c_str());
}

int32_t Stat(void* user, const char* path, int64_t* size, int64_t* version, char* error, int32_t cap) {
  auto* s = static_cast<TestSource*>(user);
  ++s->stats;
  struct stat st;
  const std::string local = s->Local(path);
  if (local.empty() || ::stat(local.c_str(), &st) != 0) {
    SetError(error, cap, "no such object");
    return QV_ERR_NOT_FOUND;
  }
  *size = st.st_size;
  *version = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  return QV_OK;
}

int32_t Open(void* user, const char* path, void** file, int64_t* size, char* error, int32_t cap) {
  auto* s = static_cast<TestSource*>(user);
  ++s->opens;
  const std::string local = s->Local(path);
  const int fd = local.empty() ? -1 : ::open(local.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    SetError(error, cap, "no such object");
    return QV_ERR_NOT_FOUND;
  }
  struct stat st;
  ::fstat(fd, &st);
  *size = st.st_size;
  *file = new int(fd);
  ++s->open_files;
  return QV_OK;
}

int32_t Read(void* user, void* file, int32_t n, const int64_t* offsets, const int64_t* lengths,
             void* const* buffers, char* error, int32_t cap) {
  auto* s = static_cast<TestSource*>(user);
  ++s->read_calls;
  if (arrow::io::default_io_context().executor()->OwnsThisThread() ||
      arrow::internal::GetCpuThreadPool()->OwnsThisThread()) {
    ++s->reads_on_arrow_threads;
  }
  if (s->fail_reads) {
    SetError(error, cap, "503 Slow Down");
    return QV_ERR_IO;
  }
  if (s->overlap_reads) {
    const int32_t now = ++s->in_flight;
    int32_t seen = s->most_in_flight.load();
    while (now > seen && !s->most_in_flight.compare_exchange_weak(seen, now)) {
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (s->most_in_flight.load() < 2 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    --s->in_flight;
  }
  const int fd = *static_cast<int*>(file);
  for (int32_t i = 0; i < n; ++i) {
    if (::pread(fd, buffers[i], static_cast<size_t>(lengths[i]), offsets[i]) != lengths[i]) {
      SetError(error, cap, "short read");
      return QV_ERR_IO;
    }
    ++s->ranges;
    s->bytes += lengths[i];
  }
  return QV_OK;
}

void Close(void* user, void* file) {
  auto* s = static_cast<TestSource*>(user);
  ::close(*static_cast<int*>(file));
  delete static_cast<int*>(file);
  --s->open_files;
}

struct Fixture {
  TempDir dir{"file-source"};
  Corpus corpus;
  std::vector<std::string> remote_paths;
  TestSource source;
  qv_file_source* handle = nullptr;

  Fixture() {
    CorpusSpec spec;
    spec.files = 3;
    spec.rows_per_file = 300;
    spec.dim = 16;
    spec.row_group_rows = 100;
    spec.null_every = 41;
    spec.seed = 17;
    auto c = WriteCorpus(dir / "data", spec);
    if (!c.ok()) throw std::runtime_error(c.status().ToString());
    corpus = std::move(*c);
    source.dir = dir / "data";
    for (const std::string& p : corpus.paths) {
      remote_paths.push_back(kScheme + p.substr(source.dir.size()));
    }
    if (qv_file_source_create(Stat, Open, Read, Close, 1, &source, &handle) != QV_OK) {
      throw std::runtime_error(qv_last_error());
    }
  }
  ~Fixture() { qv_file_source_destroy(handle); }

  qv_status BuildThrough(const std::string& index_dir) {
    qv_build_params* p = nullptr;
    qv_build_params_create(&p);
    qv_build_params_set_nlist(p, 8);
    qv_build_params_set_pq_m(p, 4);
    qv_build_params_set_threads(p, 2);
    EXPECT_EQ(qv_build_params_set_file_source(p, handle), QV_OK);
    std::vector<const char*> paths;
    for (const auto& r : remote_paths) paths.push_back(r.c_str());
    const qv_status st = qv_build(paths.data(), static_cast<int64_t>(paths.size()), p, index_dir.c_str(),
                                  nullptr, nullptr);
    qv_build_params_destroy(p);
    return st;
  }
};

std::vector<uint64_t> SearchKeys(qv_index* index, const Corpus& c, int32_t k, qv_status* st) {
  std::vector<float> queries;
  for (int64_t r = 3; r < 300; r += 31) {
    if (c.status[1][r] != RowStatus::kOk) continue;
    queries.insert(queries.end(), c.row(1, r), c.row(1, r) + c.dim);
  }
  const int64_t n = static_cast<int64_t>(queries.size() / c.dim);
  std::vector<uint64_t> keys(n * k);
  std::vector<float> dists(n * k);
  *st = qv_search_batch(index, queries.data(), n, c.dim, k, nullptr, nullptr, keys.data(), dists.data());
  return keys;
}

std::shared_ptr<arrow::Table> FetchIds(qv_index* index, const std::vector<uint64_t>& keys,
                                       std::vector<const char*> columns = {"id", "name"}) {
  ArrowArrayStream stream;
  if (qv_fetch(index, keys.data(), static_cast<int64_t>(keys.size()), columns.data(),
               static_cast<int32_t>(columns.size()), nullptr, &stream) != QV_OK) {
    ADD_FAILURE() << qv_last_error();
    return nullptr;
  }
  auto reader = arrow::ImportRecordBatchReader(&stream);
  auto table = (*reader)->ToTable();
  return *(*table)->CombineChunks();
}

TEST(FileSource, AnswersAsTheLocalFilesDoAndReadsOnlyThroughTheSource) {
  Fixture fx;
  ASSERT_EQ(fx.BuildThrough(fx.dir / "remote-index"), QV_OK) << qv_last_error();
  ASSERT_GT(fx.source.bytes.load(), 0);
  EXPECT_EQ(fx.source.open_files.load(), 0);  // the build closed what it opened

  BuildOptions local_opt;
  local_opt.nlist = 8;
  local_opt.pq_m = 4;
  ASSERT_EQ(Build(fx.corpus.paths, fx.dir / "local-index", local_opt), QV_OK);

  qv_index* remote = nullptr;
  qv_index* local = nullptr;
  ASSERT_EQ(qv_index_open_with_source((fx.dir / "remote-index").c_str(), 0, fx.handle, &remote), QV_OK)
      << qv_last_error();
  ASSERT_EQ(qv_index_open((fx.dir / "local-index").c_str(), 0, &local), QV_OK);
  // The manifest records the paths as given, not resolved on this machine.
  qv_file_info info;
  ASSERT_EQ(qv_index_get_file(remote, 0, &info), QV_OK);
  EXPECT_EQ(std::string(info.path), fx.remote_paths[0]);

  const int64_t served_before = fx.source.bytes.load();
  qv_status st;
  auto got = SearchKeys(remote, fx.corpus, 10, &st);
  ASSERT_EQ(st, QV_OK) << qv_last_error();
  auto want = SearchKeys(local, fx.corpus, 10, &st);
  ASSERT_EQ(st, QV_OK);
  EXPECT_EQ(got, want);
  auto got_rows = FetchIds(remote, got);
  auto want_rows = FetchIds(local, want);
  ASSERT_TRUE(got_rows && want_rows);
  EXPECT_TRUE(got_rows->Equals(*want_rows));

  // Refinement and fetch read through the source, and the handle counted it.
  qv_io_stats io;
  ASSERT_EQ(qv_index_get_io_stats(remote, &io), QV_OK);
  EXPECT_GT(io.bytes_read, 0);
  EXPECT_EQ(fx.source.bytes.load() - served_before, io.bytes_read);
  EXPECT_GE(fx.source.ranges.load(), fx.source.read_calls.load());

  qv_index_close(remote);
  qv_index_close(local);
  EXPECT_EQ(fx.source.open_files.load(), 0);
}

TEST(FileSource, FailuresNameThePathAndTheSourcesMessage) {
  Fixture fx;
  ASSERT_EQ(fx.BuildThrough(fx.dir / "index"), QV_OK) << qv_last_error();
  qv_index* index = nullptr;
  ASSERT_EQ(qv_index_open_with_source((fx.dir / "index").c_str(), 0, fx.handle, &index), QV_OK);

  fx.source.fail_reads = true;
  qv_status st;
  SearchKeys(index, fx.corpus, 5, &st);
  EXPECT_EQ(st, QV_ERR_IO);
  const std::string message = qv_last_error();
  EXPECT_NE(message.find("test://bucket/"), std::string::npos) << message;
  EXPECT_NE(message.find("503 Slow Down"), std::string::npos) << message;
  fx.source.fail_reads = false;
  qv_index_close(index);

  // A file gone from the store: the index is stale, naming it.
  ASSERT_EQ(::unlink(fx.corpus.paths[2].c_str()), 0);
  EXPECT_EQ(qv_index_open_with_source((fx.dir / "index").c_str(), 0, fx.handle, &index), QV_ERR_STALE_INDEX);
  EXPECT_NE(std::string(qv_last_error()).find(fx.remote_paths[2]), std::string::npos) << qv_last_error();

  // Without the source, the same paths are not local files.
  EXPECT_EQ(qv_index_open((fx.dir / "index").c_str(), 0, &index), QV_ERR_STALE_INDEX);

  // A build over a missing object fails with its path.
  qv_build_params* p = nullptr;
  qv_build_params_create(&p);
  qv_build_params_set_file_source(p, fx.handle);
  const char* missing[] = {"test://bucket/nope.parquet"};
  EXPECT_EQ(qv_build(missing, 1, p, (fx.dir / "other").c_str(), nullptr, nullptr), QV_ERR_NOT_FOUND);
  EXPECT_NE(std::string(qv_last_error()).find("test://bucket/nope.parquet"), std::string::npos);
  qv_build_params_destroy(p);
}

// A remote store's reads mostly wait on round trips: a fetch across files
// keeps several in flight even when the caller gives it one thread.
TEST(FileSource, AFetchOnOneThreadOverlapsTheReadsOfDifferentFiles) {
  Fixture fx;
  ASSERT_EQ(fx.BuildThrough(fx.dir / "index"), QV_OK) << qv_last_error();
  qv_index* index = nullptr;
  ASSERT_EQ(qv_index_open_with_source((fx.dir / "index").c_str(), 0, fx.handle, &index), QV_OK);
  // A row of every file, so that the fetch reads three files.
  std::vector<uint64_t> keys;
  for (uint32_t f = 0; f < 3; ++f) keys.push_back(QV_ROW_KEY(f, 7));
  qv_search_params* one = nullptr;
  qv_search_params_create(&one);
  qv_search_params_set_threads(one, 1);
  const char* columns[] = {"id"};
  fx.source.overlap_reads = true;
  ArrowArrayStream stream;
  ASSERT_EQ(qv_fetch(index, keys.data(), 3, columns, 1, one, &stream), QV_OK) << qv_last_error();
  fx.source.overlap_reads = false;
  auto table = *(*arrow::ImportRecordBatchReader(&stream))->ToTable();
  EXPECT_EQ(table->num_rows(), 3);
  EXPECT_GE(fx.source.most_in_flight.load(), 2);
  qv_search_params_destroy(one);
  qv_index_close(index);
}

// Fetched column chunks stay in the handle's cache, within its budget: the
// same rows fetched again cost no read, and with no budget they are read again.
TEST(FileSource, AFetchAgainReadsFromTheCacheWithinItsBudget) {
  Fixture fx;
  ASSERT_EQ(fx.BuildThrough(fx.dir / "index"), QV_OK) << qv_last_error();
  qv_index* index = nullptr;
  ASSERT_EQ(qv_index_open_with_source((fx.dir / "index").c_str(), 0, fx.handle, &index), QV_OK);
  std::vector<uint64_t> keys;
  for (uint32_t f = 0; f < 3; ++f) keys.push_back(QV_ROW_KEY(f, 11 + f));
  auto first = FetchIds(index, keys);
  ASSERT_TRUE(first);
  const int64_t after_first = fx.source.bytes.load();
  auto again = FetchIds(index, keys);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->Equals(*first));
  EXPECT_EQ(fx.source.bytes.load(), after_first);

  // Columns stored next to each other, cached apart: still nothing read.
  ASSERT_TRUE(FetchIds(index, keys, {"id", "part"}));
  const int64_t after_adjacent = fx.source.bytes.load();
  ASSERT_TRUE(FetchIds(index, keys, {"id", "part"}));
  EXPECT_EQ(fx.source.bytes.load(), after_adjacent);

  ASSERT_EQ(qv_index_set_cache_budget(index, 0), QV_OK);
  auto uncached = FetchIds(index, keys);
  ASSERT_TRUE(uncached);
  EXPECT_TRUE(uncached->Equals(*first));
  EXPECT_GT(fx.source.bytes.load(), after_first);
  qv_index_close(index);
  // Every read came from the caller's thread or the handle's own workers.
  EXPECT_EQ(fx.source.reads_on_arrow_threads.load(), 0);
}

// A fetch asks the store for each file's size and version on every call,
// unless the caller says it checked them itself.
TEST(FileSource, AFetchRechecksItsFilesUnlessToldNotTo) {
  Fixture fx;
  ASSERT_EQ(fx.BuildThrough(fx.dir / "index"), QV_OK) << qv_last_error();
  qv_index* index = nullptr;
  ASSERT_EQ(qv_index_open_with_source((fx.dir / "index").c_str(), 0, fx.handle, &index), QV_OK);
  std::vector<uint64_t> keys;
  for (uint32_t f = 0; f < 3; ++f) keys.push_back(QV_ROW_KEY(f, 5));
  ASSERT_TRUE(FetchIds(index, keys));  // opens the three files
  const int64_t stats = fx.source.stats.load();
  ASSERT_TRUE(FetchIds(index, keys));
  EXPECT_EQ(fx.source.stats.load(), stats + 3);

  qv_search_params* trusting = nullptr;
  qv_search_params_create(&trusting);
  ASSERT_EQ(qv_search_params_set_recheck_sources(trusting, 0), QV_OK);
  EXPECT_EQ(qv_search_params_set_recheck_sources(trusting, 2), QV_ERR_INVALID_ARGUMENT);
  const char* columns[] = {"id"};
  ArrowArrayStream stream;
  ASSERT_EQ(qv_fetch(index, keys.data(), 3, columns, 1, trusting, &stream), QV_OK) << qv_last_error();
  auto table = *(*arrow::ImportRecordBatchReader(&stream))->ToTable();
  EXPECT_EQ(table->num_rows(), 3);
  EXPECT_EQ(fx.source.stats.load(), stats + 3);
  qv_search_params_destroy(trusting);
  qv_index_close(index);
}

TEST(FileSource, BadArguments) {
  qv_file_source* s = nullptr;
  EXPECT_EQ(qv_file_source_create(Stat, Open, nullptr, Close, 1, nullptr, &s), QV_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(qv_file_source_create(Stat, Open, Read, Close, 2, nullptr, &s), QV_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(qv_file_source_create(Stat, Open, Read, Close, 1, nullptr, nullptr), QV_ERR_INVALID_ARGUMENT);
  qv_file_source_destroy(nullptr);
}

}  // namespace
}  // namespace quiver
