#include <gtest/gtest.h>
#include <parquet/file_reader.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "parquet/vector_column.h"
#include "parquet/vector_reader.h"
#include "quiver/quiver.h"
#include "support/temp_dir.h"
#include "support/vector_files.h"

namespace quiver {
namespace {

using testing::VectorFileOptions;
using testing::VectorLayoutKind;
using testing::VectorRow;

constexpr int32_t kDim = 8;

// Every row of `path` as the scanner sees it.
void ScanFile(const std::string& path, std::vector<float>* vectors, std::vector<RowStatus>* status) {
  auto scanner = VectorScanner::Open(path, "v", kDim);
  ASSERT_TRUE(scanner.ok()) << scanner.status().ToString();
  std::vector<float> v;
  std::vector<RowStatus> s;
  while (true) {
    auto n = (*scanner)->Next(1000, &v, &s);
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    if (*n == 0) break;
    vectors->insert(vectors->end(), v.begin(), v.end());
    status->insert(status->end(), s.begin(), s.end());
  }
}

std::vector<VectorRow> RowsWithGaps(VectorLayoutKind kind, int64_t n, uint64_t seed) {
  auto rows = testing::RandomVectorRows(n, kDim, seed);
  for (int64_t i = 5; i < n; i += 41) {
    if (testing::LayoutHasNullRows(kind)) {
      rows[i].reset();
    } else {
      (*rows[i])[0] = std::numeric_limits<float>::infinity();
    }
    if (kind != VectorLayoutKind::kArrowFixedSizeList && i + 1 < n) rows[i + 1]->push_back(1.0f);
  }
  return rows;
}

struct Corpus {
  std::vector<SourceFile> files;
  std::vector<std::vector<float>> vectors;  // per file, as scanned
  std::vector<std::vector<RowStatus>> status;
};

void MakeCorpus(const std::string& dir, VectorLayoutKind kind, const VectorFileOptions& opts,
                Corpus* corpus) {
  const int64_t sizes[] = {700, 1, 333};
  for (int f = 0; f < 3; ++f) {
    const std::string path = dir + "/part-" + std::to_string(f) + ".parquet";
    ASSERT_TRUE(testing::WriteVectorFile(path, kind, RowsWithGaps(kind, sizes[f], 100 + f), kDim, opts).ok());
    auto sf = testing::DescribeSourceFile(path);
    ASSERT_TRUE(sf.ok()) << sf.status().ToString();
    // The reader must be tested both ways: check the writer did as asked.
    auto metadata = parquet::ParquetFileReader::OpenFile(path)->metadata();
    const int leaf = metadata->num_columns() - 1;
    ASSERT_EQ(metadata->RowGroup(0)->ColumnChunk(leaf)->GetOffsetIndexLocation().has_value(),
              opts.page_index);
    corpus->files.push_back(*sf);
    corpus->vectors.emplace_back();
    corpus->status.emplace_back();
    ScanFile(path, &corpus->vectors.back(), &corpus->status.back());
  }
}

std::vector<uint64_t> RandomKeys(const Corpus& corpus, int64_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint64_t> keys;
  for (int64_t i = 0; i < n; ++i) {
    const uint32_t f = static_cast<uint32_t>(rng() % corpus.files.size());
    const uint32_t r = static_cast<uint32_t>(rng() % corpus.files[f].rows);
    keys.push_back(QV_ROW_KEY(f, r));
    if (i % 10 == 3) keys.push_back(keys.back());  // duplicates
  }
  return keys;
}

void ExpectMatchesScanner(VectorReader* reader, const Corpus& corpus,
                          const std::vector<uint64_t>& keys) {
  std::vector<float> out(keys.size() * kDim, -1.0f);
  std::vector<RowStatus> status(keys.size());
  Status st = reader->Read(keys.data(), static_cast<int64_t>(keys.size()), IoOptions{}, out.data(),
                           status.data());
  ASSERT_TRUE(st.ok()) << st.ToString();
  for (size_t i = 0; i < keys.size(); ++i) {
    const uint32_t f = QV_ROW_KEY_FILE(keys[i]);
    const uint32_t r = QV_ROW_KEY_ROW(keys[i]);
    ASSERT_EQ(status[i], corpus.status[f][r]) << "key " << i << " file " << f << " row " << r;
    for (int32_t j = 0; j < kDim; ++j) {
      ASSERT_EQ(out[i * kDim + j], corpus.vectors[f][r * kDim + j]) << "key " << i << " element " << j;
    }
  }
}

struct ReaderCase {
  VectorLayoutKind kind;
  bool page_index;
  bool dictionary;
  bool v2;
};

std::string CaseName(const ReaderCase& c) {
  return testing::LayoutName(c.kind) + (c.page_index ? "_PageIndex" : "_NoPageIndex") +
         (c.dictionary ? "_Dict" : "") + (c.v2 ? "_V2" : "");
}

class VectorReaderCaseTest : public ::testing::TestWithParam<ReaderCase> {};

TEST_P(VectorReaderCaseTest, MatchesScannerOnRandomKeys) {
  const ReaderCase c = GetParam();
  VectorFileOptions opts;
  opts.row_group_rows = 250;
  opts.page_rows = 40;
  opts.page_index = c.page_index;
  opts.dictionary = c.dictionary;
  opts.data_page_v2 = c.v2;
  opts.compression = parquet::Compression::SNAPPY;
  opts.with_id_column = true;
  Corpus corpus;
  testing::TempDir dir("reader_" + CaseName(c));
  MakeCorpus(dir.path(), c.kind, opts, &corpus);
  auto reader = VectorReader::Make(corpus.files, "v", kDim, 1 << 20);
  ExpectMatchesScanner(reader.get(), corpus, RandomKeys(corpus, 300, 1));
  const IoStats cold = reader->stats();
  EXPECT_GT(cold.pages_decoded, 3);
  EXPECT_GT(cold.bytes_read, 0);
  // Every key again: all from the cache, nothing decoded twice.
  std::vector<uint64_t> all;
  for (uint32_t f = 0; f < corpus.files.size(); ++f) {
    for (uint32_t r = 0; r < corpus.files[f].rows; ++r) all.push_back(QV_ROW_KEY(f, r));
  }
  std::reverse(all.begin(), all.end());
  ExpectMatchesScanner(reader.get(), corpus, all);
  ExpectMatchesScanner(reader.get(), corpus, all);
  const IoStats warm = reader->stats();
  EXPECT_GT(warm.page_cache_hits, cold.page_cache_hits);
  EXPECT_GT(warm.cache_bytes, 0);
}

std::vector<ReaderCase> AllCases() {
  std::vector<ReaderCase> cases;
  for (auto kind : testing::AllLayouts()) {
    for (bool page_index : {false, true}) cases.push_back({kind, page_index, false, false});
  }
  for (auto kind : {VectorLayoutKind::kSparkArray, VectorLayoutKind::kArrowListDouble,
                    VectorLayoutKind::kArrowListHalf}) {
    for (bool page_index : {false, true}) {
      cases.push_back({kind, page_index, true, false});
      cases.push_back({kind, page_index, true, true});
      cases.push_back({kind, page_index, false, true});
    }
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Layouts, VectorReaderCaseTest, ::testing::ValuesIn(AllCases()),
                         [](const auto& info) { return CaseName(info.param); });

TEST(VectorReaderTest, RowsSplitAcrossPages) {
  for (auto kind : {VectorLayoutKind::kSparkArray, VectorLayoutKind::kLegacyTwoLevel}) {
    VectorFileOptions opts;
    opts.row_group_rows = 300;
    opts.page_bytes = 100;  // a few rows per page, cut anywhere
    opts.split_rows_across_pages = true;
    Corpus corpus;
    testing::TempDir dir("reader_split_" + testing::LayoutName(kind));
    MakeCorpus(dir.path(), kind, opts, &corpus);
    auto reader = VectorReader::Make(corpus.files, "v", kDim, 1 << 20);
    ExpectMatchesScanner(reader.get(), corpus, RandomKeys(corpus, 500, 2));
  }
}

TEST(VectorReaderTest, CacheBudgetBoundsMemory) {
  VectorFileOptions opts;
  opts.page_rows = 20;
  opts.page_index = true;
  Corpus corpus;
  testing::TempDir dir("reader_budget");
  MakeCorpus(dir.path(), VectorLayoutKind::kSparkArray, opts, &corpus);
  const auto keys = RandomKeys(corpus, 400, 3);
  auto reader = VectorReader::Make(corpus.files, "v", kDim, 0);
  ExpectMatchesScanner(reader.get(), corpus, keys);
  EXPECT_EQ(reader->stats().cache_bytes, 0);
  const int64_t decoded = reader->stats().pages_decoded;
  ExpectMatchesScanner(reader.get(), corpus, keys);
  EXPECT_EQ(reader->stats().pages_decoded, 2 * decoded);  // nothing was kept
  EXPECT_EQ(reader->stats().page_cache_hits, 0);

  reader->SetCacheBudget(4096);
  ExpectMatchesScanner(reader.get(), corpus, keys);
  EXPECT_LE(reader->stats().cache_bytes, 4096);
  EXPECT_GT(reader->stats().cache_bytes, 0);
  reader->SetCacheBudget(0);
  EXPECT_EQ(reader->stats().cache_bytes, 0);
}

TEST(VectorReaderTest, ConcurrentReadsAgree) {
  VectorFileOptions opts;
  opts.page_rows = 16;
  opts.row_group_rows = 100;
  Corpus corpus;
  testing::TempDir dir("reader_threads");
  MakeCorpus(dir.path(), VectorLayoutKind::kArrowList, opts, &corpus);
  auto reader = VectorReader::Make(corpus.files, "v", kDim, 8 << 10);  // small: evictions happen
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 5; ++round) {
        ExpectMatchesScanner(reader.get(), corpus, RandomKeys(corpus, 60, 1000 * t + round));
      }
    });
  }
  for (auto& th : threads) th.join();
}

TEST(VectorReaderTest, ClearErrors) {
  VectorFileOptions opts;
  Corpus corpus;
  testing::TempDir dir("reader_errors");
  MakeCorpus(dir.path(), VectorLayoutKind::kArrowList, opts, &corpus);
  auto reader = VectorReader::Make(corpus.files, "v", kDim, 1 << 20);
  std::vector<float> out(kDim);
  RowStatus status;

  const uint64_t no_file = QV_ROW_KEY(7, 0);
  Status st = reader->Read(&no_file, 1, IoOptions{}, out.data(), &status);
  EXPECT_EQ(ToQvStatus(st), QV_ERR_INVALID_ARGUMENT) << st.ToString();
  const uint64_t no_row = QV_ROW_KEY(1, 1);
  st = reader->Read(&no_row, 1, IoOptions{}, out.data(), &status);
  EXPECT_EQ(ToQvStatus(st), QV_ERR_INVALID_ARGUMENT) << st.ToString();
  EXPECT_NE(st.message().find(corpus.files[1].path), std::string::npos) << st.ToString();

  // A file rewritten after the index was built is refused by name.
  auto stale_files = corpus.files;
  {
    std::ofstream(stale_files[2].path, std::ios::app) << "junk";
  }
  auto stale = VectorReader::Make(stale_files, "v", kDim, 1 << 20);
  const uint64_t key = QV_ROW_KEY(2, 3);
  st = stale->Read(&key, 1, IoOptions{}, out.data(), &status);
  EXPECT_EQ(ToQvStatus(st), QV_ERR_STALE_INDEX) << st.ToString();
  EXPECT_NE(st.message().find(stale_files[2].path), std::string::npos) << st.ToString();
  // Files that are still fresh keep working.
  const uint64_t fresh = QV_ROW_KEY(0, 3);
  EXPECT_TRUE(stale->Read(&fresh, 1, IoOptions{}, out.data(), &status).ok());

  auto wrong_column = VectorReader::Make(corpus.files, "id", kDim, 1 << 20);
  st = wrong_column->Read(&fresh, 1, IoOptions{}, out.data(), &status);
  EXPECT_EQ(ToQvStatus(st), QV_ERR_NOT_FOUND) << st.ToString();
}

}  // namespace
}  // namespace quiver
