// Segments through the C ABI: an append, a removal and a compaction answer
// exactly as a build over the same files with the same quantizers; a failed
// or killed append leaves the index as it was; readers see one version or
// the other, never a mix.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <thread>

#include "index/mmap_index_reader.h"
#include "support/index_testing.h"
#include "support/parquet_writers.h"
#include "support/temp_dir.h"

namespace quiver {
namespace {
namespace fs = std::filesystem;
using namespace quiver::testing;

struct Answers {
  std::vector<uint64_t> keys;
  std::vector<float> dists;
};

std::vector<const char*> CPaths(const std::vector<std::string>& paths) {
  std::vector<const char*> out;
  for (const auto& p : paths) out.push_back(p.c_str());
  return out;
}

qv_status Append(const std::vector<std::string>& paths, const std::string& index, qv_progress_fn progress = nullptr,
                 void* user = nullptr) {
  auto c = CPaths(paths);
  qv_build_params* p = nullptr;
  qv_build_params_create(&p);
  qv_build_params_set_threads(p, 2);
  qv_status st = qv_append(c.data(), static_cast<int64_t>(c.size()), p, index.c_str(), progress, user);
  qv_build_params_destroy(p);
  return st;
}

qv_status Remove(const std::vector<std::string>& paths, const std::string& index) {
  auto c = CPaths(paths);
  return qv_remove_files(c.data(), static_cast<int64_t>(c.size()), index.c_str());
}

int32_t Segments(qv_index* h) {
  int32_t n = -1;
  EXPECT_EQ(qv_index_get_segment_count(h, &n), QV_OK) << qv_last_error();
  return n;
}

class SegmentsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CorpusSpec spec;
    spec.files = 4;
    spec.rows_per_file = 300;
    spec.dim = 16;
    spec.null_every = 97;
    auto c = WriteCorpus(dir_ / "data", spec);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    corpus_ = *c;
    // Queries: rows of every file, nudged off the data.
    for (size_t f = 0; f < corpus_.paths.size(); ++f) {
      for (int64_t r = 5; r < 300; r += 60) {
        if (corpus_.status[f][r] != RowStatus::kOk) continue;
        for (int32_t d = 0; d < corpus_.dim; ++d) queries_.push_back(corpus_.row(f, r)[d] + 0.01f * (d % 3));
      }
    }
  }

  std::vector<std::string> Files(std::initializer_list<int> which) const {
    std::vector<std::string> out;
    for (int i : which) out.push_back(corpus_.paths[i]);
    return out;
  }

  // Every query at `nprobes` and `refine`, k 10.
  Answers Search(const std::string& index, int32_t nprobes, int32_t refine) {
    qv_index* h = nullptr;
    EXPECT_EQ(qv_index_open(index.c_str(), 0, &h), QV_OK) << qv_last_error();
    Answers a = Search(h, nprobes, refine);
    qv_index_close(h);
    return a;
  }
  Answers Search(qv_index* h, int32_t nprobes, int32_t refine) {
    const int64_t n = static_cast<int64_t>(queries_.size()) / corpus_.dim;
    Answers a;
    a.keys.resize(n * kK);
    a.dists.resize(n * kK);
    qv_search_params* p = nullptr;
    qv_search_params_create(&p);
    qv_search_params_set_nprobes(p, nprobes);
    qv_search_params_set_refine_factor(p, refine);
    EXPECT_EQ(qv_search_batch(h, queries_.data(), n, corpus_.dim, kK, p, nullptr, a.keys.data(), a.dists.data()),
              QV_OK)
        << qv_last_error();
    qv_search_params_destroy(p);
    return a;
  }

  // Equal keys and bit-equal distances at every setting tried.
  void ExpectSameAnswers(const std::string& a, const std::string& b) {
    for (int32_t nprobes : {1, 3, 8}) {
      for (int32_t refine : {0, 4}) {
        Answers x = Search(a, nprobes, refine), y = Search(b, nprobes, refine);
        EXPECT_EQ(x.keys, y.keys) << "nprobes " << nprobes << " refine " << refine;
        ASSERT_EQ(x.dists.size(), y.dists.size());
        EXPECT_EQ(std::memcmp(x.dists.data(), y.dists.data(), x.dists.size() * sizeof(float)), 0)
            << "nprobes " << nprobes << " refine " << refine;
      }
    }
  }

  // The same lists, code for code and key for key, in one segment each.
  static void ExpectSameLists(const std::string& a, const std::string& b) {
    auto x = MmapIndexReader::OpenMapped(a, false), y = MmapIndexReader::OpenMapped(b, false);
    ASSERT_TRUE(x.ok() && y.ok());
    ASSERT_EQ((*x)->segments(), 1);
    ASSERT_EQ((*y)->segments(), 1);
    ASSERT_EQ((*x)->rows_indexed(), (*y)->rows_indexed());
    const IndexParams& p = (*x)->params();
    for (int32_t l = 0; l < p.nlist; ++l) {
      auto la = (*x)->list(0, l), lb = (*y)->list(0, l);
      ASSERT_TRUE(la.ok() && lb.ok());
      ASSERT_EQ(la->size, lb->size) << "list " << l;
      EXPECT_EQ(std::memcmp(la->codes, lb->codes, la->size * p.pq_m), 0) << "list " << l;
      EXPECT_EQ(std::memcmp(la->keys, lb->keys, la->size * sizeof(uint64_t)), 0) << "list " << l;
    }
  }

  static constexpr int32_t kK = 10;
  TempDir dir_{"segments"};
  std::string index_ = dir_ / "index";
  Corpus corpus_;
  std::vector<float> queries_;
};

TEST_F(SegmentsTest, AppendsAnswerAsABuildWithTheSameQuantizers) {
  ASSERT_EQ(Build(Files({0, 1}), index_), QV_OK) << qv_last_error();
  ASSERT_EQ(Append(Files({2}), index_), QV_OK) << qv_last_error();
  ASSERT_EQ(Append(Files({3}), index_), QV_OK) << qv_last_error();
  BuildOptions same;
  same.quantizers_from = index_;
  const std::string whole = dir_ / "whole";
  ASSERT_EQ(Build(Files({0, 1, 2, 3}), whole, same), QV_OK) << qv_last_error();

  qv_index* h = nullptr;
  ASSERT_EQ(qv_index_open(index_.c_str(), 0, &h), QV_OK) << qv_last_error();
  EXPECT_EQ(Segments(h), 3);
  qv_index_info info;
  ASSERT_EQ(qv_index_get_info(h, &info), QV_OK);
  EXPECT_EQ(info.format_version, 2);
  EXPECT_EQ(info.n_files, 4);
  EXPECT_EQ(info.rows_indexed, corpus_.usable);
  EXPECT_EQ(info.rows_total, corpus_.rows_total);
  qv_segment_info g;
  ASSERT_EQ(qv_index_get_segment(h, 2, &g), QV_OK);
  EXPECT_EQ(g.first_file, 3);
  EXPECT_EQ(g.n_files, 1);
  EXPECT_EQ(qv_index_get_segment(h, 3, &g), QV_ERR_INVALID_ARGUMENT);
  qv_index_close(h);
  EXPECT_EQ(qv_index_verify(index_.c_str()), QV_OK) << qv_last_error();

  ExpectSameAnswers(index_, whole);
  ASSERT_EQ(qv_compact(index_.c_str(), nullptr, nullptr), QV_OK) << qv_last_error();
  ExpectSameLists(index_, whole);
  ExpectSameAnswers(index_, whole);
  // Only the compacted base file and the manifest are left.
  int binaries = 0;
  for (const auto& e : fs::directory_iterator(index_)) binaries += e.path().extension() != ".json";
  EXPECT_EQ(binaries, 1);
}

TEST_F(SegmentsTest, RemovedFilesAreNeverReturnedAndCompactAway) {
  ASSERT_EQ(Build(Files({0, 1, 2}), index_), QV_OK) << qv_last_error();
  ASSERT_EQ(Append(Files({3}), index_), QV_OK) << qv_last_error();
  // A path the index does not hold changes nothing.
  const auto before = Snapshot(index_);
  EXPECT_EQ(Remove({corpus_.paths[1], dir_ / "data/elsewhere.parquet"}, index_), QV_ERR_NOT_FOUND);
  EXPECT_NE(std::string(qv_last_error()).find("elsewhere.parquet"), std::string::npos) << qv_last_error();
  EXPECT_EQ(Snapshot(index_), before);

  ASSERT_EQ(Remove(Files({1, 3}), index_), QV_OK) << qv_last_error();
  EXPECT_EQ(Remove(Files({1}), index_), QV_ERR_NOT_FOUND);  // already removed
  // The removed files may go: the index no longer checks them.
  fs::remove(corpus_.paths[1]);
  fs::remove(corpus_.paths[3]);
  qv_index* h = nullptr;
  ASSERT_EQ(qv_index_open(index_.c_str(), 0, &h), QV_OK) << qv_last_error();
  int32_t removed = -1;
  ASSERT_EQ(qv_index_file_removed(h, 1, &removed), QV_OK);
  EXPECT_EQ(removed, 1);
  ASSERT_EQ(qv_index_file_removed(h, 2, &removed), QV_OK);
  EXPECT_EQ(removed, 0);
  EXPECT_EQ(qv_index_file_status(h, 1), QV_OK);
  // Even probing every list, no row of a removed file comes back, and k do.
  for (int32_t refine : {0, 4}) {
    Answers a = Search(h, 8, refine);
    for (uint64_t key : a.keys) {
      ASSERT_NE(key, QV_NO_ROW);
      EXPECT_TRUE(QV_ROW_KEY_FILE(key) == 0 || QV_ROW_KEY_FILE(key) == 2) << key;
    }
  }
  qv_index_close(h);

  BuildOptions same;
  same.quantizers_from = index_;
  const std::string kept = dir_ / "kept";
  ASSERT_EQ(Build(Files({0, 2}), kept, same), QV_OK) << qv_last_error();
  ASSERT_EQ(qv_compact(index_.c_str(), nullptr, nullptr), QV_OK) << qv_last_error();
  ExpectSameLists(index_, kept);
  ExpectSameAnswers(index_, kept);
  ASSERT_EQ(qv_index_open(index_.c_str(), 0, &h), QV_OK) << qv_last_error();
  qv_index_info info;
  ASSERT_EQ(qv_index_get_info(h, &info), QV_OK);
  EXPECT_EQ(info.format_version, 1);
  EXPECT_EQ(info.n_files, 2);
  qv_index_close(h);
}

TEST_F(SegmentsTest, TrainedOnceEncodedInPartsAndMergedIsTheBuildWithTheSameQuantizers) {
  // The sample a driver would draw: every usable row of files 0 and 2.
  std::vector<float> sample;
  for (size_t f : {0, 2}) {
    for (int64_t r = 0; r < 300; ++r) {
      if (corpus_.status[f][r] == RowStatus::kOk) sample.insert(sample.end(), corpus_.row(f, r), corpus_.row(f, r) + 16);
    }
  }
  const int64_t n = static_cast<int64_t>(sample.size()) / 16;
  const std::string trained = dir_ / "trained";
  qv_build_params* p = nullptr;
  qv_build_params_create(&p);
  qv_build_params_set_nlist(p, 8);
  qv_build_params_set_pq_m(p, 4);
  ASSERT_EQ(qv_train(sample.data(), n, 16, corpus_.rows_total, p, trained.c_str(), nullptr, nullptr), QV_OK)
      << qv_last_error();
  std::vector<float> bad = sample;
  bad[16 * 7 + 3] = std::nanf("");
  EXPECT_EQ(qv_train(bad.data(), n, 16, 0, p, (dir_ / "bad").c_str(), nullptr, nullptr), QV_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(qv_last_error()).find("row 7"), std::string::npos) << qv_last_error();
  EXPECT_FALSE(fs::exists(dir_ / "bad"));
  qv_build_params_destroy(p);
  EXPECT_EQ(Search(trained, 8, 0).keys, std::vector<uint64_t>(Search(trained, 8, 0).keys.size(), QV_NO_ROW));
  // An odd number of lists leaves the list directory off the 64-byte grid that ends an index of no rows.
  qv_build_params_create(&p);
  qv_build_params_set_nlist(p, 5);
  const std::string odd = dir_ / "odd";
  ASSERT_EQ(qv_train(sample.data(), n, 16, 0, p, odd.c_str(), nullptr, nullptr), QV_OK) << qv_last_error();
  qv_build_params_destroy(p);
  EXPECT_EQ(qv_index_verify(odd.c_str()), QV_OK) << qv_last_error();

  BuildOptions with;
  with.quantizers_from = trained;
  const std::string a = dir_ / "part-a", b = dir_ / "part-b", whole = dir_ / "whole";
  ASSERT_EQ(Build(Files({0, 1}), a, with), QV_OK) << qv_last_error();
  ASSERT_EQ(Build(Files({2, 3}), b, with), QV_OK) << qv_last_error();
  ASSERT_EQ(Build(Files({0, 1, 2, 3}), whole, with), QV_OK) << qv_last_error();
  std::vector<const char*> parts = {a.c_str(), b.c_str()};
  ASSERT_EQ(qv_merge(parts.data(), 2, index_.c_str(), nullptr, nullptr), QV_OK) << qv_last_error();
  ExpectSameLists(index_, whole);
  ExpectSameAnswers(index_, whole);

  // Parts trained apart do not merge.
  const std::string other = dir_ / "other";
  ASSERT_EQ(Build(Files({2, 3}), other), QV_OK) << qv_last_error();
  parts = {a.c_str(), other.c_str()};
  const auto before = Snapshot(index_);
  EXPECT_EQ(qv_merge(parts.data(), 2, index_.c_str(), nullptr, nullptr), QV_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(qv_last_error()).find("other"), std::string::npos) << qv_last_error();
  EXPECT_EQ(Snapshot(index_), before);
}

// Segments encoded apart with qv_train's quantizers, the way the tasks of a
// distributed build encode them, and committed by one manifest.
class EncodedApartTest : public SegmentsTest {
 protected:
  void SetUp() override {
    SegmentsTest::SetUp();
    std::vector<float> sample;
    for (size_t f : {0, 2}) {
      for (int64_t r = 0; r < 300; ++r) {
        if (corpus_.status[f][r] == RowStatus::kOk) {
          sample.insert(sample.end(), corpus_.row(f, r), corpus_.row(f, r) + 16);
        }
      }
    }
    qv_build_params* p = nullptr;
    qv_build_params_create(&p);
    qv_build_params_set_nlist(p, 8);
    qv_build_params_set_pq_m(p, 4);
    ASSERT_EQ(qv_train(sample.data(), static_cast<int64_t>(sample.size()) / 16, 16, corpus_.rows_total, p,
                       trained_.c_str(), nullptr, nullptr),
              QV_OK)
        << qv_last_error();
    qv_build_params_destroy(p);
  }

  qv_status Encode(const std::vector<std::string>& files, int32_t first_file, const std::string& segment,
                   const std::string& quantizers) {
    auto c = CPaths(files);
    qv_build_params* p = nullptr;
    qv_build_params_create(&p);
    qv_build_params_set_threads(p, 2);
    if (!quantizers.empty()) qv_build_params_set_quantizers_from(p, quantizers.c_str());
    qv_status st = qv_encode_segment(c.data(), static_cast<int64_t>(c.size()), p, first_file, segment.c_str(),
                                     nullptr, nullptr);
    qv_build_params_destroy(p);
    return st;
  }
  qv_status Commit(const std::string& index, const char* base, const std::vector<std::string>& segments) {
    auto c = CPaths(segments);
    return qv_commit_segments(index.c_str(), base, c.data(), static_cast<int64_t>(c.size()));
  }
  std::string Whole(std::initializer_list<int> which) {
    const std::string whole = dir_ / ("whole-" + std::to_string(which.size()));
    BuildOptions with;
    with.quantizers_from = trained_;
    EXPECT_EQ(Build(Files(which), whole, with), QV_OK) << qv_last_error();
    return whole;
  }

  std::string trained_ = dir_ / "trained";
  std::string a_ = dir_ / "parts/a.qvs", b_ = dir_ / "parts/b.qvs";
};

TEST_F(EncodedApartTest, CommittedTogetherTheyAnswerAsTheBuildWithTheSameQuantizers) {
  ASSERT_EQ(Encode(Files({0, 1}), 0, a_, trained_), QV_OK) << qv_last_error();
  ASSERT_EQ(Encode(Files({2, 3}), 2, b_, trained_), QV_OK) << qv_last_error();
  const auto trained_before = Snapshot(trained_);
  const auto parts_before = Snapshot(dir_ / "parts");
  ASSERT_EQ(Commit(index_, trained_.c_str(), {a_, b_}), QV_OK) << qv_last_error();
  const std::string whole = Whole({0, 1, 2, 3});
  ExpectSameAnswers(index_, whole);
  EXPECT_EQ(qv_index_verify(index_.c_str()), QV_OK) << qv_last_error();
  EXPECT_EQ(Snapshot(trained_), trained_before);
  EXPECT_EQ(Snapshot(dir_ / "parts"), parts_before);

  qv_index* h = nullptr;
  ASSERT_EQ(qv_index_open(index_.c_str(), 0, &h), QV_OK) << qv_last_error();
  EXPECT_EQ(Segments(h), 3);  // the trained base file, of no rows, and the two
  qv_index_info info;
  ASSERT_EQ(qv_index_get_info(h, &info), QV_OK);
  EXPECT_EQ(info.rows_total, corpus_.rows_total);
  EXPECT_EQ(info.n_files, 4);
  qv_index_close(h);

  // Compacted, it is the one build's index list for list.
  ASSERT_EQ(qv_compact(index_.c_str(), nullptr, nullptr), QV_OK) << qv_last_error();
  ExpectSameLists(index_, whole);
}

TEST_F(EncodedApartTest, ASegmentCommittedToAnIndexIsAnAppend) {
  BuildOptions with;
  with.quantizers_from = trained_;
  ASSERT_EQ(Build(Files({0, 1}), index_, with), QV_OK) << qv_last_error();
  // Segments name their base file: one encoded for the trained index is not this index's.
  ASSERT_EQ(Encode(Files({2}), 2, a_, trained_), QV_OK) << qv_last_error();
  EXPECT_EQ(Commit(index_, nullptr, {a_}), QV_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(qv_last_error()).find("quantizers of another index"), std::string::npos) << qv_last_error();
  ASSERT_EQ(Encode(Files({2}), 2, b_, index_), QV_OK) << qv_last_error();
  ASSERT_EQ(Commit(index_, nullptr, {b_}), QV_OK) << qv_last_error();
  ExpectSameAnswers(index_, Whole({0, 1, 2}));
}

TEST_F(EncodedApartTest, ACommitThatCannotBeChangesNothing) {
  ASSERT_EQ(Encode(Files({0, 1}), 0, a_, trained_), QV_OK) << qv_last_error();
  ASSERT_EQ(Encode(Files({2, 3}), 2, b_, trained_), QV_OK) << qv_last_error();
  ASSERT_EQ(Commit(index_, trained_.c_str(), {a_}), QV_OK) << qv_last_error();
  const auto before = Snapshot(index_);
  auto refused = [&](qv_status want, const char* base, const std::vector<std::string>& segments,
                     const std::string& says) {
    EXPECT_EQ(Commit(index_, base, segments), want) << qv_last_error();
    EXPECT_NE(std::string(qv_last_error()).find(says), std::string::npos) << qv_last_error();
    EXPECT_EQ(Snapshot(index_), before) << says;
  };
  // Out of order: b follows a's files, not the trained index's none.
  refused(QV_ERR_INVALID_ARGUMENT, trained_.c_str(), {b_, a_}, "comes next");
  // a again, after a.
  refused(QV_ERR_INVALID_ARGUMENT, nullptr, {a_}, "holds files from ordinal 0");
  refused(QV_ERR_INVALID_ARGUMENT, trained_.c_str(), {a_, a_}, "given twice");
  // The same files, numbered to follow: they are in the index already.
  const std::string again = dir_ / "parts/again.qvs";
  ASSERT_EQ(Encode(Files({1}), 2, again, trained_), QV_OK) << qv_last_error();
  refused(QV_ERR_INVALID_ARGUMENT, nullptr, {again}, "already in the index");
  // Encoded with quantizers trained apart.
  const std::string other = dir_ / "other", stranger = dir_ / "parts/stranger.qvs";
  ASSERT_EQ(Build(Files({0}), other), QV_OK) << qv_last_error();
  ASSERT_EQ(Encode(Files({2, 3}), 2, stranger, other), QV_OK) << qv_last_error();
  refused(QV_ERR_INVALID_ARGUMENT, nullptr, {stranger}, "quantizers of another index");
  // One byte of a posting list changed on its way.
  const std::string damaged = dir_ / "parts/damaged.qvs";
  std::string bytes = ReadFileBytes(b_);
  const size_t at = bytes.size() / 2;
  bytes[at] = static_cast<char>(bytes[at] ^ 0x40);
  WriteFileBytes(damaged, bytes);
  refused(QV_ERR_CORRUPT_INDEX, nullptr, {damaged}, "checksum");
  // Cut short.
  WriteFileBytes(damaged, ReadFileBytes(b_).substr(0, 100));
  refused(QV_ERR_CORRUPT_INDEX, nullptr, {damaged}, "truncated");
  refused(QV_ERR_NOT_FOUND, nullptr, {dir_ / "parts/none.qvs"}, "no segment file");
  // A base file is no segment.
  for (const auto& e : fs::directory_iterator(trained_)) {
    if (e.path().extension() == ".qvi") {
      EXPECT_EQ(Commit(index_, nullptr, {e.path().string()}), QV_ERR_INVALID_ARGUMENT);
      EXPECT_NE(std::string(qv_last_error()).find("not a segment file"), std::string::npos) << qv_last_error();
    }
  }
  EXPECT_EQ(Snapshot(index_), before);
  // An index is not its own base.
  EXPECT_EQ(Commit(trained_, trained_.c_str(), {b_}), QV_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(qv_last_error()).find("both the base"), std::string::npos) << qv_last_error();

  // And the commit that can be made still is.
  ASSERT_EQ(Commit(index_, nullptr, {b_}), QV_OK) << qv_last_error();
  ExpectSameAnswers(index_, Whole({0, 1, 2, 3}));
}

TEST_F(EncodedApartTest, EncodingNeedsQuantizersAndLeavesNothingOnFailure) {
  EXPECT_EQ(Encode(Files({0}), 0, a_, ""), QV_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(qv_last_error()).find("quantizers_from"), std::string::npos) << qv_last_error();
  EXPECT_EQ(Encode(Files({0}), -1, a_, trained_), QV_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(Encode(Files({0}), 0, "", trained_), QV_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(Encode({dir_ / "data/none.parquet"}, 0, a_, trained_), QV_ERR_NOT_FOUND) << qv_last_error();
  EXPECT_FALSE(fs::exists(a_));
  if (fs::exists(dir_ / "parts")) EXPECT_TRUE(fs::is_empty(dir_ / "parts"));
}

TEST_F(SegmentsTest, AnEditedManifestOrAMissingSegmentIsCorrupt) {
  ASSERT_EQ(Build(Files({0}), index_), QV_OK) << qv_last_error();
  ASSERT_EQ(Append(Files({1}), index_), QV_OK) << qv_last_error();
  const std::string path = dir_ / "index/manifest.json";
  const std::string text = ReadFileBytes(path);
  // One file's row count told otherwise: the manifest's own checksum catches it.
  const size_t at = text.find("\"rows_indexed\": ");
  ASSERT_NE(at, std::string::npos);
  std::string edited = text;
  edited.insert(at + std::strlen("\"rows_indexed\": "), "1");
  WriteFileBytes(path, edited);
  qv_index* h = nullptr;
  EXPECT_EQ(qv_index_open(index_.c_str(), QV_OPEN_SKIP_FRESHNESS_CHECK, &h), QV_ERR_CORRUPT_INDEX);
  EXPECT_NE(std::string(qv_last_error()).find("checksum"), std::string::npos) << qv_last_error();
  WriteFileBytes(path, text);

  for (const auto& e : fs::directory_iterator(index_)) {
    if (e.path().extension() == ".qvs") fs::remove(e.path());
  }
  EXPECT_EQ(qv_index_open(index_.c_str(), 0, &h), QV_ERR_CORRUPT_INDEX);
  EXPECT_NE(std::string(qv_last_error()).find(".qvs"), std::string::npos) << qv_last_error();
}

TEST_F(SegmentsTest, EachSegmentSaysHowWellTheQuantizersFitItsRows) {
  // Enough rows that most of the build's are not in its training sample: codebooks fit the rows
  // they were trained on better than any others, which would flatter the build's own error.
  CorpusSpec larger;
  larger.files = 3;
  larger.rows_per_file = 4000;
  larger.dim = 16;
  larger.payload = false;
  larger.file_prefix = "larger-";
  auto big = WriteCorpus(dir_ / "larger", larger);
  ASSERT_TRUE(big.ok());
  BuildOptions options;
  options.train_sample = 2000;
  ASSERT_EQ(Build({big->paths[0], big->paths[1]}, index_, options), QV_OK) << qv_last_error();
  ASSERT_EQ(Append({big->paths[2]}, index_), QV_OK) << qv_last_error();
  // Rows from elsewhere: other centres, spread wider than the build's clusters.
  CorpusSpec drifted = larger;
  drifted.files = 1;
  drifted.seed = 9;
  drifted.cluster_spread = 2.0f;
  drifted.file_prefix = "drifted-";
  auto far = WriteCorpus(dir_ / "drifted", drifted);
  ASSERT_TRUE(far.ok());
  ASSERT_EQ(Append(far->paths, index_), QV_OK) << qv_last_error();

  qv_index* h = nullptr;
  ASSERT_EQ(qv_index_open(index_.c_str(), 0, &h), QV_OK) << qv_last_error();
  qv_segment_info base, same, other;
  ASSERT_EQ(qv_index_get_segment(h, 0, &base), QV_OK);
  ASSERT_EQ(qv_index_get_segment(h, 1, &same), QV_OK);
  ASSERT_EQ(qv_index_get_segment(h, 2, &other), QV_OK);
  qv_index_close(h);
  EXPECT_GT(base.mean_pq_error, 0);
  EXPECT_GT(base.mean_coarse_error, base.mean_pq_error);  // the residuals' PQ shrinks the coarse error
  EXPECT_GE(base.imbalance, 1.0);
  // The same distribution fits as well; the drifted rows fit several times worse.
  EXPECT_LT(same.mean_pq_error, 1.5 * base.mean_pq_error);
  EXPECT_GT(same.mean_pq_error, base.mean_pq_error / 1.5);
  EXPECT_GT(other.mean_pq_error, 3 * base.mean_pq_error);
  EXPECT_GT(other.mean_coarse_error, 3 * base.mean_coarse_error);

  // Compaction keeps the rows-weighted mean.
  ASSERT_EQ(qv_compact(index_.c_str(), nullptr, nullptr), QV_OK) << qv_last_error();
  ASSERT_EQ(qv_index_open(index_.c_str(), 0, &h), QV_OK) << qv_last_error();
  qv_segment_info merged;
  ASSERT_EQ(qv_index_get_segment(h, 0, &merged), QV_OK);
  qv_index_close(h);
  const double rows = double(base.rows_indexed + same.rows_indexed + other.rows_indexed);
  EXPECT_NEAR(merged.mean_pq_error,
              (base.mean_pq_error * base.rows_indexed + same.mean_pq_error * same.rows_indexed +
               other.mean_pq_error * other.rows_indexed) / rows,
              1e-9 * merged.mean_pq_error);
}

TEST_F(SegmentsTest, AFailedAppendChangesNothing) {
  ASSERT_EQ(Build(Files({0, 1}), index_), QV_OK) << qv_last_error();
  const auto before = Snapshot(index_);

  EXPECT_EQ(Append(Files({1}), index_), QV_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(qv_last_error()).find("already in the index"), std::string::npos) << qv_last_error();
  EXPECT_EQ(Append(Files({2}), dir_ / "nowhere"), QV_ERR_NOT_FOUND);
  EXPECT_EQ(Remove(Files({0}), dir_ / "nowhere"), QV_ERR_NOT_FOUND);
  EXPECT_EQ(qv_compact((dir_ / "nowhere").c_str(), nullptr, nullptr), QV_ERR_NOT_FOUND);
  EXPECT_FALSE(fs::exists(dir_ / "nowhere"));  // nothing is created for an index that is not there

  CorpusSpec other;
  other.files = 1;
  other.dim = 8;
  other.file_prefix = "narrow-";
  auto narrow = WriteCorpus(dir_ / "narrow", other);
  ASSERT_TRUE(narrow.ok());
  EXPECT_EQ(Append(narrow->paths, index_), QV_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(qv_last_error()).find("8 dimensions"), std::string::npos) << qv_last_error();

  for (int32_t phase : {QV_PHASE_ENCODE, QV_PHASE_WRITE}) {
    auto cancel_in = [](void* user, int32_t phase, int64_t done, int64_t) -> int32_t {
      return phase == *static_cast<int32_t*>(user) && done > 0 ? 1 : 0;
    };
    EXPECT_EQ(Append(Files({2, 3}), index_, cancel_in, &phase), QV_ERR_CANCELLED) << phase;
    EXPECT_EQ(Snapshot(index_), before) << phase;
  }
}

// A child process for the kill test: this binary again (through the
// emulator ctest runs it under, QUIVER_TEST_EMULATOR, if any), running only the
// disabled test below, which appends QUIVER_CHILD_FILES (':'-separated) to
// QUIVER_CHILD_INDEX and kills itself in phase QUIVER_CHILD_KILL_PHASE. A
// fresh process rather than a fork: the parent's OpenMP and Arrow threads do
// not survive a fork.
TEST(SegmentsChild, DISABLED_AppendAndDie) {
  const char* index = std::getenv("QUIVER_CHILD_INDEX");
  const char* files = std::getenv("QUIVER_CHILD_FILES");
  const char* phase_text = std::getenv("QUIVER_CHILD_KILL_PHASE");
  if (index == nullptr || files == nullptr || phase_text == nullptr) GTEST_SKIP() << "run by the kill test";
  std::vector<std::string> paths;
  std::string rest = files;
  for (size_t at; (at = rest.find(':')) != std::string::npos; rest = rest.substr(at + 1)) {
    paths.push_back(rest.substr(0, at));
  }
  paths.push_back(rest);
  int32_t phase = std::atoi(phase_text);
  auto kill_in = [](void* user, int32_t phase, int64_t done, int64_t) -> int32_t {
    if (phase == *static_cast<int32_t*>(user) && done > 0) ::raise(SIGKILL);
    return 0;
  };
  Append(paths, index, kill_in, &phase);
  FAIL() << "the append was not killed";  // it reports progress in both phases
}

// The signal that ended a child append killed in `phase`; -(exit code)
// when it exited instead (127: it could not be started).
int AppendKilledIn(const std::vector<std::string>& files, const std::string& index, int32_t phase) {
  std::string joined;
  for (const auto& f : files) joined += (joined.empty() ? "" : ":") + f;
  std::vector<std::string> args;
  for (std::string rest = QUIVER_TEST_EMULATOR; !rest.empty();) {
    const size_t at = rest.find('|');
    args.push_back(rest.substr(0, at));
    rest = at == std::string::npos ? "" : rest.substr(at + 1);
  }
  // Under qemu-user, readlink answers with the emulated binary's path.
  char self[4096];
  const ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return -1;
  args.emplace_back(self, static_cast<size_t>(n));
  args.emplace_back("--gtest_filter=SegmentsChild.DISABLED_AppendAndDie");
  args.emplace_back("--gtest_also_run_disabled_tests");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    ::setenv("QUIVER_CHILD_INDEX", index.c_str(), 1);
    ::setenv("QUIVER_CHILD_FILES", joined.c_str(), 1);
    ::setenv("QUIVER_CHILD_KILL_PHASE", std::to_string(phase).c_str(), 1);
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return -1;
  return WIFSIGNALED(status) ? WTERMSIG(status) : -WEXITSTATUS(status);
}

TEST_F(SegmentsTest, AnAppendKilledMidwayLeavesThePreviousIndex) {
  ASSERT_EQ(Build(Files({0, 1}), index_), QV_OK) << qv_last_error();
  const std::string manifest = ReadFileBytes(dir_ / "index/manifest.json");
  const Answers before = Search(index_, 8, 4);
  for (int32_t phase : {QV_PHASE_ENCODE, QV_PHASE_WRITE}) {
    EXPECT_EQ(AppendKilledIn(Files({2, 3}), index_, phase), SIGKILL) << phase;
    EXPECT_EQ(ReadFileBytes(dir_ / "index/manifest.json"), manifest) << phase;
    EXPECT_EQ(qv_index_verify(index_.c_str()), QV_OK) << qv_last_error();
    Answers after = Search(index_, 8, 4);
    EXPECT_EQ(after.keys, before.keys) << phase;
    EXPECT_EQ(std::memcmp(after.dists.data(), before.dists.data(), before.dists.size() * sizeof(float)), 0);
  }
  // The next writer clears what the killed one left.
  ASSERT_EQ(Append(Files({2, 3}), index_), QV_OK) << qv_last_error();
  for (const auto& e : fs::directory_iterator(index_)) {
    EXPECT_NE(e.path().extension(), ".tmp") << e.path();
  }
}

TEST_F(SegmentsTest, ReadersSeeOneVersionOrTheNext) {
  ASSERT_EQ(Build(Files({0}), index_), QV_OK) << qv_last_error();
  qv_index* before = nullptr;
  ASSERT_EQ(qv_index_open(index_.c_str(), 0, &before), QV_OK);
  const Answers old_answers = Search(before, 8, 0);

  // What each version answers, appended one file at a time.
  std::vector<Answers> versions = {old_answers};
  const std::string copy = dir_ / "copy";
  ASSERT_EQ(Build(Files({0}), copy, [&] { BuildOptions o; o.quantizers_from = index_; return o; }()), QV_OK);
  for (int f = 1; f < 4; ++f) {
    ASSERT_EQ(Append(Files({f}), copy), QV_OK) << qv_last_error();
    versions.push_back(Search(copy, 8, 0));
  }

  std::atomic<bool> done{false};
  std::atomic<int> mismatches{0}, opened{0};
  std::thread reader([&] {
    while (!done.load()) {
      qv_index* h = nullptr;
      if (qv_index_open(index_.c_str(), 0, &h) != QV_OK) {
        ++mismatches;
        continue;
      }
      const int32_t n = Segments(h);
      Answers a = Search(h, 8, 0);
      // Compaction brings the count back to one, with the last version's rows.
      const bool known = n >= 1 && n <= 4 && (a.keys == versions[n - 1].keys || (n == 1 && a.keys == versions[3].keys));
      if (!known) ++mismatches;
      ++opened;
      qv_index_close(h);
    }
  });
  for (int f = 1; f < 4; ++f) EXPECT_EQ(Append(Files({f}), index_), QV_OK) << qv_last_error();
  EXPECT_EQ(qv_compact(index_.c_str(), nullptr, nullptr), QV_OK) << qv_last_error();
  done = true;
  reader.join();
  EXPECT_EQ(mismatches.load(), 0);
  EXPECT_GT(opened.load(), 0);

  // A handle opened before answers from its version throughout.
  EXPECT_EQ(Search(before, 8, 0).keys, old_answers.keys);
  qv_index_close(before);
  EXPECT_EQ(Search(index_, 8, 0).keys, versions[3].keys);
}

}  // namespace
}  // namespace quiver
