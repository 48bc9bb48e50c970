// A source file that changed after the build makes the index stale, and the
// error names the file; a damaged index is corrupt, through the C ABI.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>

#include <filesystem>

#include "index/format.h"
#include "support/index_testing.h"
#include "support/parquet_writers.h"
#include "support/temp_dir.h"

namespace quiver {
namespace {
namespace fs = std::filesystem;
using namespace quiver::testing;

class StaleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CorpusSpec spec;
    spec.files = 3;
    spec.rows_per_file = 200;
    auto c = WriteCorpus(dir_ / "data", spec);
    ASSERT_TRUE(c.ok());
    corpus_ = *c;
    ASSERT_EQ(Build(corpus_.paths, index_), QV_OK) << qv_last_error();
  }

  // Opens and expects `want`, with `mention` in the message.
  void ExpectOpen(qv_status want, const std::string& mention) {
    qv_index* h = nullptr;
    EXPECT_EQ(qv_index_open(index_.c_str(), 0, &h), want);
    if (want != QV_OK) {
      EXPECT_NE(std::string(qv_last_error()).find(mention), std::string::npos) << qv_last_error();
      EXPECT_EQ(qv_index_verify(index_.c_str()), want);
    }
    qv_index_close(h);
  }

  TempDir dir_{"stale"};
  std::string index_ = dir_ / "index";
  Corpus corpus_;
};

TEST_F(StaleTest, FreshIndexOpens) { ExpectOpen(QV_OK, ""); }

TEST_F(StaleTest, TouchedFile) {
  const std::string& f = corpus_.paths[1];
  struct stat st;
  ASSERT_EQ(::stat(f.c_str(), &st), 0);
  struct timespec times[2] = {st.st_atim, st.st_mtim};
  times[1].tv_sec += 5;
  ASSERT_EQ(::utimensat(AT_FDCWD, f.c_str(), times, 0), 0);
  ExpectOpen(QV_ERR_STALE_INDEX, fs::path(f).filename().string());

  // Skipping the check opens; the per-file status still tells.
  qv_index* h = nullptr;
  ASSERT_EQ(qv_index_open(index_.c_str(), QV_OPEN_SKIP_FRESHNESS_CHECK, &h), QV_OK);
  EXPECT_EQ(qv_index_file_status(h, 0), QV_OK);
  EXPECT_EQ(qv_index_file_status(h, 1), QV_ERR_STALE_INDEX);
  EXPECT_NE(std::string(qv_last_error()).find("modified"), std::string::npos) << qv_last_error();
  EXPECT_EQ(qv_index_file_status(h, 3), QV_ERR_INVALID_ARGUMENT);
  qv_index_close(h);
}

TEST_F(StaleTest, RewrittenFile) {
  // Same writer, same size, other values: only the footer (statistics) and
  // the time tell.
  CorpusSpec spec;
  spec.files = 3;
  spec.rows_per_file = 200;
  spec.seed = 99;
  TempDir other("stale-other");
  auto c = WriteCorpus(other.path(), spec);
  ASSERT_TRUE(c.ok());
  const std::string& f = corpus_.paths[2];
  struct stat before;
  ASSERT_EQ(::stat(f.c_str(), &before), 0);
  WriteFileBytes(f, ReadFileBytes(c->paths[2]));
  ExpectOpen(QV_ERR_STALE_INDEX, fs::path(f).filename().string());
}

TEST_F(StaleTest, RemovedFile) {
  const std::string& f = corpus_.paths[0];
  fs::remove(f);
  ExpectOpen(QV_ERR_STALE_INDEX, fs::path(f).filename().string());
  qv_index* h = nullptr;
  ASSERT_EQ(qv_index_open(index_.c_str(), QV_OPEN_SKIP_FRESHNESS_CHECK, &h), QV_OK);
  EXPECT_EQ(qv_index_file_status(h, 0), QV_ERR_NOT_FOUND);
  qv_index_close(h);
}

TEST_F(StaleTest, CorruptionThroughTheApi) {
  std::string bin;
  for (const auto& e : fs::directory_iterator(index_)) {
    if (e.path().extension() == format::kIndexFileSuffix) bin = e.path().string();
  }
  ASSERT_FALSE(bin.empty());
  const std::string pristine = ReadFileBytes(bin);
  // The last bytes of the file belong to the keys section: open succeeds
  // (posting lists are checked lazily), verify fails.
  std::string bytes = pristine;
  format::FileHeader header;
  std::memcpy(&header, bytes.data(), sizeof header);
  std::vector<format::SectionEntry> table(header.n_sections);
  std::memcpy(table.data(), bytes.data() + header.section_table_offset, table.size() * sizeof table[0]);
  for (const auto& s : table) {
    if (s.id == format::kSectionKeys) bytes[s.offset + s.length / 2] ^= 1;
  }
  WriteFileBytes(bin, bytes);
  qv_index* h = nullptr;
  ASSERT_EQ(qv_index_open(index_.c_str(), 0, &h), QV_OK) << qv_last_error();
  qv_index_close(h);
  EXPECT_EQ(qv_index_verify(index_.c_str()), QV_ERR_CORRUPT_INDEX);
  EXPECT_NE(std::string(qv_last_error()).find("corrupt"), std::string::npos) << qv_last_error();

  WriteFileBytes(bin, pristine.substr(0, pristine.size() - 100));
  EXPECT_EQ(qv_index_open(index_.c_str(), 0, &h), QV_ERR_CORRUPT_INDEX);
  EXPECT_NE(std::string(qv_last_error()).find("truncated"), std::string::npos) << qv_last_error();
  fs::remove(bin);
  EXPECT_EQ(qv_index_open(index_.c_str(), 0, &h), QV_ERR_CORRUPT_INDEX);
  WriteFileBytes(bin, pristine);
  EXPECT_EQ(qv_index_verify(index_.c_str()), QV_OK) << qv_last_error();
}

}  // namespace
}  // namespace quiver
