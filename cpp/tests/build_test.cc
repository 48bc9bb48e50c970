// Building over Parquet files written by real writers in every vector
// layout, and checking what landed in the index.
#include <gtest/gtest.h>

#include <faiss/impl/ProductQuantizer.h>

#include <filesystem>
#include <map>
#include <random>
#include <set>

#include "index/mmap_index_reader.h"
#include "support/index_testing.h"
#include "support/parquet_writers.h"
#include "support/temp_dir.h"

namespace quiver {
namespace {
namespace fs = std::filesystem;
using namespace quiver::testing;

float L2(const float* a, const float* b, int dim) {
  float s = 0;
  for (int i = 0; i < dim; ++i) s += (a[i] - b[i]) * (a[i] - b[i]);
  return s;
}

std::unique_ptr<MmapIndexReader> OpenReader(const std::string& dir) {
  auto r = MmapIndexReader::OpenMapped(dir, true);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(*r) : nullptr;
}

// Every usable row is in exactly one list, under its own key; nothing else is.
void ExpectEveryUsableRowOnce(const MmapIndexReader& idx, const Corpus& c) {
  std::set<uint64_t> seen;
  for (int l = 0; l < idx.params().nlist; ++l) {
    auto list = idx.list(0, l);
    ASSERT_TRUE(list.ok()) << list.status().ToString();
    for (int64_t i = 0; i < list->size; ++i) {
      const uint64_t key = list->keys[i];
      ASSERT_LT(QV_ROW_KEY_FILE(key), c.paths.size());
      ASSERT_LT(QV_ROW_KEY_ROW(key), c.status[QV_ROW_KEY_FILE(key)].size());
      EXPECT_EQ(c.status[QV_ROW_KEY_FILE(key)][QV_ROW_KEY_ROW(key)], RowStatus::kOk) << key;
      EXPECT_TRUE(seen.insert(key).second) << "key " << key << " indexed twice";
      if (i > 0) EXPECT_LT(list->keys[i - 1], key) << "keys within a list are in row order";
    }
  }
  EXPECT_EQ(static_cast<int64_t>(seen.size()), c.usable);
}

class BuildLayoutTest : public ::testing::TestWithParam<VectorLayoutKind> {};

TEST_P(BuildLayoutTest, CountsAndPlacement) {
  TempDir dir("build-layout-" + LayoutName(GetParam()));
  CorpusSpec spec;
  spec.layout = GetParam();
  spec.files = 3;
  spec.rows_per_file = 300;
  spec.row_group_rows = 64;
  spec.null_every = 11;
  spec.wrong_length_every = 13;
  spec.non_finite_every = 17;
  auto corpus = WriteCorpus(dir / "data", spec);
  ASSERT_TRUE(corpus.ok()) << corpus.status().ToString();
  const Corpus& c = *corpus;
  std::string error;
  ASSERT_EQ(Build({dir / "data"}, dir / "index", {}, nullptr, nullptr, &error), QV_OK) << error;

  qv_index* h = nullptr;
  ASSERT_EQ(qv_index_open((dir / "index").c_str(), 0, &h), QV_OK) << qv_last_error();
  qv_index_info info;
  ASSERT_EQ(qv_index_get_info(h, &info), QV_OK);
  EXPECT_EQ(info.format_version, 1);
  EXPECT_EQ(info.dim, 16);
  EXPECT_EQ(info.metric, QV_METRIC_L2);
  EXPECT_EQ(info.nlist, 8);
  EXPECT_EQ(info.pq_m, 4);
  EXPECT_EQ(info.pq_bits, 8);
  EXPECT_EQ(info.n_files, 3);
  EXPECT_EQ(info.rows_total, 900);
  EXPECT_EQ(info.rows_indexed, c.usable);
  EXPECT_EQ(info.rows_skipped_null, c.nulls);
  EXPECT_EQ(info.rows_skipped_length, c.wrong_length);
  EXPECT_EQ(info.rows_skipped_nonfinite, c.non_finite);
  EXPECT_EQ(info.rows_indexed + info.rows_skipped_null + info.rows_skipped_length + info.rows_skipped_nonfinite,
            900);
  EXPECT_GT(info.index_bytes, 0);
  EXPECT_EQ(info.seed, 42u);
  EXPECT_STREQ(info.vector_column, "embedding");
  EXPECT_EQ(info.train_sample, 900);
  int64_t indexed = 0;
  for (int f = 0; f < 3; ++f) {
    qv_file_info fi;
    ASSERT_EQ(qv_index_get_file(h, f, &fi), QV_OK);
    EXPECT_EQ(std::string(fi.path), fs::absolute(c.paths[f]).lexically_normal().string());
    EXPECT_EQ(fi.rows, 300);
    EXPECT_EQ(fi.size_bytes, static_cast<int64_t>(fs::file_size(c.paths[f])));
    indexed += fi.rows_indexed;
    EXPECT_EQ(qv_index_file_status(h, f), QV_OK);
  }
  EXPECT_EQ(indexed, c.usable);
  qv_file_info fi;
  EXPECT_EQ(qv_index_get_file(h, 3, &fi), QV_ERR_INVALID_ARGUMENT);
  qv_index_close(h);
  EXPECT_EQ(qv_index_verify((dir / "index").c_str()), QV_OK) << qv_last_error();

  auto idx = OpenReader(dir / "index");
  ASSERT_TRUE(idx);
  ExpectEveryUsableRowOnce(*idx, c);
  // Every row sits in the list of its nearest centroid.
  for (int l = 0; l < idx->params().nlist; ++l) {
    auto list = idx->list(0, l);
    for (int64_t i = 0; i < list->size; ++i) {
      const float* x = c.row(QV_ROW_KEY_FILE(list->keys[i]), QV_ROW_KEY_ROW(list->keys[i]));
      const float own = L2(x, idx->centroids() + l * 16, 16);
      for (int o = 0; o < idx->params().nlist; ++o) {
        EXPECT_LE(own, L2(x, idx->centroids() + o * 16, 16) * (1 + 1e-5f) + 1e-6f);
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllLayouts, BuildLayoutTest, ::testing::ValuesIn(AllLayouts()),
                         [](const auto& info) { return LayoutName(info.param); });

// Decoded PQ codes (centroid + code words) must be close to the rows.
double MeanReconstructionError(const MmapIndexReader& idx, const Corpus& c, bool normalise,
                               const std::vector<float>* codebooks = nullptr) {
  const int dim = idx.params().dim, m = idx.params().pq_m;
  faiss::ProductQuantizer pq(dim, m, 8);
  pq.centroids.assign(idx.pq_codebooks(), idx.pq_codebooks() + m * 256 * (dim / m));
  if (codebooks) pq.centroids = *codebooks;
  double err = 0;
  int64_t n = 0;
  std::vector<float> back(dim), x(dim);
  for (int l = 0; l < idx.params().nlist; ++l) {
    auto list = idx.list(0, l);
    for (int64_t i = 0; i < list->size; ++i) {
      std::copy_n(c.row(QV_ROW_KEY_FILE(list->keys[i]), QV_ROW_KEY_ROW(list->keys[i])), dim, x.data());
      if (normalise) {
        float s = 0;
        for (float v : x) s += v * v;
        for (float& v : x) v /= std::sqrt(s);
      }
      pq.decode(list->codes + i * m, back.data(), 1);
      for (int j = 0; j < dim; ++j) back[j] += idx.centroids()[l * dim + j];
      err += L2(x.data(), back.data(), dim);
      ++n;
    }
  }
  return err / n;
}

TEST(Build, PqReconstructionBeatsRandomCodebooks) {
  for (int32_t metric : {QV_METRIC_L2, QV_METRIC_COSINE, QV_METRIC_INNER_PRODUCT}) {
    TempDir dir("build-pq-" + std::to_string(metric));
    CorpusSpec spec;
    spec.dim = 32;
    spec.files = 2;
    spec.rows_per_file = 1000;
    spec.payload = false;
    auto c = WriteCorpus(dir / "data", spec);
    ASSERT_TRUE(c.ok());
    BuildOptions o;
    o.metric = metric;
    o.pq_m = 8;
    ASSERT_EQ(Build(c->paths, dir / "index", o), QV_OK) << qv_last_error();
    auto idx = OpenReader(dir / "index");
    ASSERT_TRUE(idx);
    const bool cosine = metric == QV_METRIC_COSINE;
    if (cosine) {
      for (int l = 0; l < idx->params().nlist; ++l) {
        float s = 0;
        for (int j = 0; j < 32; ++j) s += idx->centroids()[l * 32 + j] * idx->centroids()[l * 32 + j];
        EXPECT_NEAR(s, 1.0f, 1e-4f);
      }
    }
    std::mt19937_64 g(9);
    std::vector<float> random(8 * 256 * 4);
    const double trained = MeanReconstructionError(*idx, *c, cosine);
    // Random code words with the spread of the trained ones.
    float lo = *std::min_element(idx->pq_codebooks(), idx->pq_codebooks() + random.size());
    float hi = *std::max_element(idx->pq_codebooks(), idx->pq_codebooks() + random.size());
    std::uniform_real_distribution<float> u(lo, hi);
    for (auto& v : random) v = u(g);
    const double baseline = MeanReconstructionError(*idx, *c, cosine, &random);
    EXPECT_LT(trained, 0.25 * baseline) << "metric " << metric << ": " << trained << " vs " << baseline;
  }
}

TEST(Build, ReproducibleWhateverTheThreadCount) {
  TempDir dir("build-repro");
  CorpusSpec spec;
  spec.files = 3;
  spec.rows_per_file = 700;
  auto c = WriteCorpus(dir / "data", spec);
  ASSERT_TRUE(c.ok());
  BuildOptions one, two;
  one.threads = 1;
  two.threads = 2;
  ASSERT_EQ(Build(c->paths, dir / "a", one), QV_OK) << qv_last_error();
  ASSERT_EQ(Build(c->paths, dir / "b", two), QV_OK) << qv_last_error();
  auto a = OpenReader(dir / "a"), b = OpenReader(dir / "b");
  ASSERT_TRUE(a && b);
  const auto& p = a->params();
  EXPECT_TRUE(std::equal(a->centroids(), a->centroids() + p.nlist * p.dim, b->centroids()));
  EXPECT_TRUE(std::equal(a->pq_codebooks(), a->pq_codebooks() + p.pq_m * 256 * (p.dim / p.pq_m), b->pq_codebooks()));
  for (int l = 0; l < p.nlist; ++l) {
    auto la = a->list(0, l), lb = b->list(0, l);
    ASSERT_EQ(la->size, lb->size);
    EXPECT_TRUE(std::equal(la->keys, la->keys + la->size, lb->keys));
    EXPECT_TRUE(std::equal(la->codes, la->codes + la->size * p.pq_m, lb->codes));
  }
}

TEST(Build, DirectoriesExpandRecursivelyInSortedOrder) {
  TempDir dir("build-dirs");
  CorpusSpec spec;
  spec.files = 2;
  spec.rows_per_file = 100;
  spec.file_prefix = "b-";
  ASSERT_TRUE(WriteCorpus(dir / "data/z", spec).ok());
  spec.file_prefix = "a-";
  spec.seed = 2;
  ASSERT_TRUE(WriteCorpus(dir / "data", spec).ok());
  WriteFileBytes(dir / "data/notes.txt", "not parquet");
  spec.file_prefix = "single-";
  spec.files = 1;
  ASSERT_TRUE(WriteCorpus(dir / "other", spec).ok());
  ASSERT_EQ(Build({dir / "other/single-00000.parquet", dir / "data"}, dir / "index"), QV_OK) << qv_last_error();
  auto idx = OpenReader(dir / "index");
  ASSERT_TRUE(idx);
  std::vector<std::string> names;
  for (const auto& f : idx->files()) names.push_back(fs::path(f.path).lexically_relative(dir.path()).string());
  EXPECT_EQ(names, (std::vector<std::string>{"other/single-00000.parquet", "data/a-00000.parquet",
                                              "data/a-00001.parquet", "data/z/b-00000.parquet",
                                              "data/z/b-00001.parquet"}));
}

int32_t CountPhases(void* user, int32_t phase, int64_t done, int64_t total) {
  auto* seen = static_cast<std::vector<std::tuple<int32_t, int64_t, int64_t>>*>(user);
  seen->emplace_back(phase, done, total);
  return 0;
}

TEST(Build, ProgressReportsEveryPhaseInOrder) {
  TempDir dir("build-progress");
  CorpusSpec spec;
  spec.rows_per_file = 400;
  auto c = WriteCorpus(dir / "data", spec);
  ASSERT_TRUE(c.ok());
  std::vector<std::tuple<int32_t, int64_t, int64_t>> seen;
  ASSERT_EQ(Build(c->paths, dir / "index", {}, CountPhases, &seen), QV_OK) << qv_last_error();
  std::map<int32_t, std::pair<int64_t, int64_t>> last;
  int32_t phase = -1;
  for (auto [p, done, total] : seen) {
    EXPECT_GE(p, phase) << "phases go forward";
    if (p == phase) EXPECT_GE(done, last[p].first) << "progress within a phase never goes back";
    EXPECT_LE(done, total);
    phase = p;
    last[p] = {done, total};
  }
  for (int32_t p : {QV_PHASE_SCAN, QV_PHASE_SAMPLE, QV_PHASE_TRAIN, QV_PHASE_ENCODE, QV_PHASE_WRITE}) {
    ASSERT_TRUE(last.count(p)) << "phase " << p << " never reported";
    EXPECT_EQ(last[p].first, last[p].second) << "phase " << p << " ends complete";
  }
  EXPECT_EQ(last[QV_PHASE_ENCODE].second, 800);
}

struct CancelAt {
  int32_t phase;
  int calls = 0;
};
int32_t Cancel(void* user, int32_t phase, int64_t, int64_t) {
  auto* c = static_cast<CancelAt*>(user);
  return phase == c->phase && ++c->calls >= 2 ? 1 : 0;
}

TEST(Build, FailedBuildLeavesPreviousIndexUntouched) {
  TempDir dir("build-atomic");
  CorpusSpec spec;
  spec.rows_per_file = 400;
  auto c = WriteCorpus(dir / "data", spec);
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(Build(c->paths, dir / "index"), QV_OK) << qv_last_error();
  const auto before = Snapshot(dir / "index");
  ASSERT_EQ(before.size(), 2u);

  for (int32_t phase : {QV_PHASE_SCAN, QV_PHASE_SAMPLE, QV_PHASE_TRAIN, QV_PHASE_ENCODE, QV_PHASE_WRITE}) {
    CancelAt cancel{phase};
    std::string error;
    EXPECT_EQ(Build(c->paths, dir / "index", {}, Cancel, &cancel, &error), QV_ERR_CANCELLED) << phase;
    EXPECT_NE(error.find("cancel"), std::string::npos) << error;
    EXPECT_EQ(Snapshot(dir / "index"), before) << "cancelled in phase " << phase;
    // A fresh directory is left without an index.
    cancel = CancelAt{phase};
    EXPECT_EQ(Build(c->paths, dir / "fresh", {}, Cancel, &cancel), QV_ERR_CANCELLED);
    EXPECT_TRUE(Snapshot(dir / "fresh").empty());
  }

  // A later file with another dimension fails the build, naming the file.
  CorpusSpec other = spec;
  other.dim = 12;
  other.files = 1;
  other.file_prefix = "wide-";
  auto w = WriteCorpus(dir / "data", other);
  ASSERT_TRUE(w.ok());
  std::string error;
  EXPECT_EQ(Build({dir / "data"}, dir / "index", {}, nullptr, nullptr, &error), QV_ERR_INVALID_ARGUMENT);
  EXPECT_NE(error.find("wide-00000.parquet"), std::string::npos) << error;
  EXPECT_NE(error.find("dimension"), std::string::npos) << error;
  EXPECT_EQ(Snapshot(dir / "index"), before);
  EXPECT_EQ(qv_index_verify((dir / "index").c_str()), QV_OK);
}

TEST(Build, BadArgumentsAreClearErrors) {
  TempDir dir("build-errors");
  CorpusSpec spec;
  spec.rows_per_file = 50;
  spec.files = 1;
  auto c = WriteCorpus(dir / "data", spec);
  ASSERT_TRUE(c.ok());
  const std::string file = c->paths[0];
  std::string error;
  auto expect = [&](qv_status want, const std::vector<std::string>& paths, const BuildOptions& o,
                    const std::string& mention) {
    error.clear();
    EXPECT_EQ(Build(paths, dir / "index", o, nullptr, nullptr, &error), want) << error;
    EXPECT_NE(error.find(mention), std::string::npos) << "'" << error << "' should mention '" << mention << "'";
  };
  BuildOptions o;
  o.column = "nope";
  expect(QV_ERR_NOT_FOUND, {file}, o, "nope");
  o = {};
  o.column = "name";  // a string column
  expect(QV_ERR_UNSUPPORTED, {file}, o, "name");
  expect(QV_ERR_NOT_FOUND, {dir / "missing.parquet"}, {}, "missing.parquet");
  fs::create_directories(dir / "empty");
  expect(QV_ERR_INVALID_ARGUMENT, {dir / "empty"}, {}, "no Parquet files");
  expect(QV_ERR_INVALID_ARGUMENT, {file, file}, {}, "twice");
  o = {};
  o.pq_m = 5;
  expect(QV_ERR_INVALID_ARGUMENT, {file}, o, "pq_m");
  o = {};
  o.nlist = 51;
  expect(QV_ERR_INVALID_ARGUMENT, {file}, o, "nlist");
  WriteFileBytes(dir / "junk.parquet", "this is not a parquet file at all");
  error.clear();
  EXPECT_NE(Build({dir / "junk.parquet"}, dir / "index", {}, nullptr, nullptr, &error), QV_OK);
  EXPECT_NE(error.find("junk.parquet"), std::string::npos) << error;
  EXPECT_TRUE(Snapshot(dir / "index").empty());

  // Null pointers and counts through the C ABI.
  const char* paths[] = {file.c_str()};
  EXPECT_EQ(qv_build(nullptr, 1, nullptr, (dir / "i").c_str(), nullptr, nullptr), QV_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(qv_build(paths, 0, nullptr, (dir / "i").c_str(), nullptr, nullptr), QV_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(qv_build(paths, -1, nullptr, (dir / "i").c_str(), nullptr, nullptr), QV_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(qv_build(paths, 1, nullptr, nullptr, nullptr, nullptr), QV_ERR_INVALID_ARGUMENT);
  const char* null_entry[] = {nullptr};
  EXPECT_EQ(qv_build(null_entry, 1, nullptr, (dir / "i").c_str(), nullptr, nullptr), QV_ERR_INVALID_ARGUMENT);
  // Default parameters (NULL) read the column "embedding".
  EXPECT_EQ(qv_build(paths, 1, nullptr, (dir / "i").c_str(), nullptr, nullptr), QV_OK) << qv_last_error();
}

TEST(Build, TableDirectoriesAreRefused) {
  TempDir dir("build-table-dirs");
  CorpusSpec spec;
  spec.files = 1;
  spec.rows_per_file = 40;
  const std::string delta_table = dir / "lake/items";
  auto delta = WriteCorpus(delta_table, spec);
  ASSERT_TRUE(delta.ok());
  fs::create_directories(delta_table + "/_delta_log");
  const std::string iceberg_table = dir / "warehouse/docs";
  ASSERT_TRUE(WriteCorpus(iceberg_table + "/data", spec).ok());
  fs::create_directories(iceberg_table + "/metadata");
  WriteFileBytes(iceberg_table + "/metadata/v1.metadata.json", "{}");

  struct Case {
    std::string path, names, format;
  };
  for (const Case& c : {Case{delta_table, "items", "Delta"}, Case{dir / "lake", "items", "Delta"},
                        Case{dir / "warehouse", "docs", "Iceberg"}}) {
    std::string error;
    EXPECT_EQ(Build({c.path}, dir / "index", {}, nullptr, nullptr, &error), QV_ERR_UNSUPPORTED) << c.path;
    EXPECT_NE(error.find(c.names), std::string::npos) << error;
    EXPECT_NE(error.find(c.format), std::string::npos) << error;
  }
  // The files themselves, named one by one, are the caller's choice.
  std::string error;
  EXPECT_EQ(Build(delta->paths, dir / "index", {}, nullptr, nullptr, &error), QV_OK) << error;
}

TEST(Build, SourceIsRecordedInTheManifest) {
  TempDir dir("build-source");
  CorpusSpec spec;
  spec.files = 1;
  spec.rows_per_file = 40;
  auto c = WriteCorpus(dir / "data", spec);
  ASSERT_TRUE(c.ok());
  const char* paths[] = {c->paths[0].c_str()};
  qv_build_params* p = nullptr;
  ASSERT_EQ(qv_build_params_create(&p), QV_OK);
  const std::string source = "delta table file:/lake/items version 7";
  ASSERT_EQ(qv_build_params_set_source(p, source.c_str()), QV_OK);
  ASSERT_EQ(qv_build(paths, 1, p, (dir / "with").c_str(), nullptr, nullptr), QV_OK) << qv_last_error();
  ASSERT_EQ(qv_build(paths, 1, nullptr, (dir / "without").c_str(), nullptr, nullptr), QV_OK) << qv_last_error();
  qv_build_params_destroy(p);

  for (const auto& [name, want] : {std::pair<std::string, std::string>{"with", source}, {"without", ""}}) {
    qv_index* h = nullptr;
    ASSERT_EQ(qv_index_open((dir / name).c_str(), 0, &h), QV_OK) << qv_last_error();
    const char* got = nullptr;
    ASSERT_EQ(qv_index_get_source(h, &got), QV_OK);
    EXPECT_EQ(std::string(got), want) << name;
    EXPECT_EQ(qv_index_get_source(h, nullptr), QV_ERR_INVALID_ARGUMENT);
    qv_index_close(h);
  }
  const std::string manifest = ReadFileBytes(dir / "with/manifest.json");
  EXPECT_NE(manifest.find("\"source\": \"" + source + "\""), std::string::npos) << manifest;
  EXPECT_EQ(ReadFileBytes(dir / "without/manifest.json").find("\"source\""), std::string::npos);
}

TEST(Build, AllRowsUnusableIsAnError) {
  TempDir dir("build-unusable");
  CorpusSpec spec;
  spec.rows_per_file = 20;
  spec.files = 1;
  spec.null_every = 1;
  auto c = WriteCorpus(dir / "data", spec);
  ASSERT_TRUE(c.ok());
  std::string error;
  EXPECT_EQ(Build(c->paths, dir / "index", {}, nullptr, nullptr, &error), QV_ERR_INVALID_ARGUMENT);
  EXPECT_NE(error.find("embedding"), std::string::npos) << error;
}

}  // namespace
}  // namespace quiver
