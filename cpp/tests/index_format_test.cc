// The index file on its own: written by WriteIndex from contents made in
// memory, read back through IndexReader, and damaged in every section.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <map>
#include <random>

#include "common/checksum.h"
#include "index/format.h"
#include "index/index_writer.h"
#include "index/mmap_index_reader.h"
#include "support/temp_dir.h"

namespace quiver {
namespace {
namespace fs = std::filesystem;
using testing::ReadFileBytes;
using testing::TempDir;
using testing::WriteFileBytes;

struct Fixture {
  int32_t dim = 16, nlist = 5, m = 4;
  std::vector<float> centroids, codebooks;
  std::vector<std::vector<uint8_t>> codes;
  std::vector<std::vector<uint64_t>> keys;

  explicit Fixture(uint64_t seed = 7) {
    std::mt19937_64 g(seed);
    std::uniform_real_distribution<float> u(-1, 1);
    centroids.resize(nlist * dim);
    for (auto& x : centroids) x = u(g);
    codebooks.resize(m * 256 * (dim / m));
    for (auto& x : codebooks) x = u(g);
    codes.resize(nlist);
    keys.resize(nlist);
    int64_t row = 0;
    for (int l = 0; l < nlist; ++l) {
      int n = l == 2 ? 0 : 10 + 7 * l;  // one empty list
      for (int i = 0; i < n; ++i, ++row) {
        for (int j = 0; j < m; ++j) codes[l].push_back(static_cast<uint8_t>(g()));
        keys[l].push_back(QV_ROW_KEY(row % 2, row / 2));
      }
    }
  }
  int64_t rows() const {
    int64_t n = 0;
    for (auto& k : keys) n += k.size();
    return n;
  }
  IndexContents Contents() const {
    IndexContents c;
    Manifest& mf = c.manifest;
    mf.params.dim = dim;
    mf.params.nlist = nlist;
    mf.params.pq_m = m;
    mf.params.metric = Metric::kCosine;
    mf.params.vector_column = "emb";
    mf.params.seed = 0xfedcba9876543210ull;
    mf.params.train_sample = 99;
    mf.params.threads = 2;
    mf.params.source = "iceberg table db.items snapshot 12";
    mf.rows_indexed = rows();
    mf.rows_total = rows() + 3;
    mf.skipped = {1, 1, 1};
    for (int f = 0; f < 2; ++f) {
      SourceFile s;
      s.path = "/nonexistent/part-" + std::to_string(f) + ".parquet";
      s.rows = rows();
      s.rows_indexed = rows() / 2;
      s.footer_hash = 0x8000000000000001ull + f;
      mf.files.push_back(s);
    }
    c.centroids = centroids.data();
    c.codebooks = codebooks.data();
    for (int l = 0; l < nlist; ++l) c.list_sizes.push_back(static_cast<int64_t>(keys[l].size()));
    c.fill_list = [this](int32_t l, uint8_t* out_codes, uint64_t* out_keys) {
      std::memcpy(out_codes, codes[l].data(), codes[l].size());
      std::memcpy(out_keys, keys[l].data(), keys[l].size() * 8);
      return Status::OK();
    };
    return c;
  }
};

std::string IndexFile(const std::string& dir) {
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == format::kIndexFileSuffix) return e.path().string();
  }
  return "";
}

Result<std::unique_ptr<MmapIndexReader>> Open(const std::string& dir) {
  return MmapIndexReader::OpenMapped(dir, /*check_freshness=*/false);
}

TEST(IndexFormat, RoundTrip) {
  TempDir dir("format-roundtrip");
  Fixture fx;
  ASSERT_TRUE(WriteIndex(dir.path(), fx.Contents(), nullptr).ok());
  auto r = Open(dir.path());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const auto& idx = **r;
  EXPECT_EQ(idx.format_version(), 1);
  EXPECT_EQ(idx.params().dim, fx.dim);
  EXPECT_EQ(idx.params().metric, Metric::kCosine);
  EXPECT_EQ(idx.params().vector_column, "emb");
  EXPECT_EQ(idx.params().seed, 0xfedcba9876543210ull);
  EXPECT_EQ(idx.params().source, "iceberg table db.items snapshot 12");
  EXPECT_EQ(idx.rows_indexed(), fx.rows());
  EXPECT_EQ(idx.skipped().non_finite, 1);
  ASSERT_EQ(idx.files().size(), 2u);
  EXPECT_EQ(idx.files()[1].footer_hash, 0x8000000000000002ull);
  EXPECT_EQ(std::memcmp(idx.centroids(), fx.centroids.data(), fx.centroids.size() * 4), 0);
  EXPECT_EQ(std::memcmp(idx.pq_codebooks(), fx.codebooks.data(), fx.codebooks.size() * 4), 0);
  for (int l = 0; l < fx.nlist; ++l) {
    auto list = idx.list(0, l);
    ASSERT_TRUE(list.ok());
    ASSERT_EQ(list->size, static_cast<int64_t>(fx.keys[l].size()));
    if (list->size == 0) continue;  // an empty list has no codes or keys to point at
    EXPECT_TRUE(std::equal(fx.codes[l].begin(), fx.codes[l].end(), list->codes));
    EXPECT_TRUE(std::equal(fx.keys[l].begin(), fx.keys[l].end(), list->keys));
  }
  EXPECT_FALSE(idx.list(0, -1).ok());
  EXPECT_FALSE(idx.list(0, fx.nlist).ok());
  EXPECT_TRUE(idx.VerifyAll().ok());
  EXPECT_EQ(idx.index_bytes(), static_cast<int64_t>(fs::file_size(IndexFile(dir.path())) +
                                                    fs::file_size(dir / "manifest.json")));
  // Sections are 64-byte aligned in the file, so in the mapping too.
  EXPECT_EQ(reinterpret_cast<uintptr_t>(idx.centroids()) % 64, 0u);
}

TEST(IndexFormat, MissingDirectoryOrManifestIsNotFound) {
  TempDir dir("format-missing");
  auto r = Open(dir / "nope");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(ToQvStatus(r.status()), QV_ERR_NOT_FOUND);
  r = Open(dir.path());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(ToQvStatus(r.status()), QV_ERR_NOT_FOUND);
}

TEST(IndexFormat, TruncatedIsCorrupt) {
  TempDir dir("format-truncated");
  Fixture fx;
  ASSERT_TRUE(WriteIndex(dir.path(), fx.Contents(), nullptr).ok());
  std::string file = IndexFile(dir.path());
  std::string bytes = ReadFileBytes(file);
  for (size_t keep : {bytes.size() - 1, bytes.size() / 2, size_t{40}, size_t{0}}) {
    WriteFileBytes(file, bytes.substr(0, keep));
    auto r = Open(dir.path());
    ASSERT_FALSE(r.ok()) << keep;
    EXPECT_EQ(ToQvStatus(r.status()), QV_ERR_CORRUPT_INDEX) << r.status().ToString();
  }
}

// Flips one byte inside each section (and the header, the section table and
// the manifest): the damage shows at open, at the first use of the damaged
// list, or at the latest in VerifyAll.
TEST(IndexFormat, FlippedByteInEverySectionIsDetected) {
  TempDir dir("format-flip");
  Fixture fx;
  ASSERT_TRUE(WriteIndex(dir.path(), fx.Contents(), nullptr).ok());
  const std::string file = IndexFile(dir.path());
  const std::string pristine = ReadFileBytes(file);
  format::FileHeader header;
  std::memcpy(&header, pristine.data(), sizeof header);
  std::vector<format::SectionEntry> table(header.n_sections);
  std::memcpy(table.data(), pristine.data() + sizeof header, table.size() * sizeof table[0]);

  std::vector<std::pair<std::string, size_t>> targets = {{"magic", 0},
                                                          {"version", 8},
                                                          {"build id", 24},
                                                          {"header checksum", 60},
                                                          {"section table", 64 + 8}};
  for (const auto& s : table) {
    targets.push_back({"section " + std::to_string(s.id) + " start", s.offset});
    targets.push_back({"section " + std::to_string(s.id) + " end", s.offset + s.length - 1});
  }
  for (const auto& [what, pos] : targets) {
    std::string bytes = pristine;
    bytes[pos] ^= 0x5a;
    WriteFileBytes(file, bytes);
    auto r = Open(dir.path());
    if (!r.ok()) {
      EXPECT_EQ(ToQvStatus(r.status()), QV_ERR_CORRUPT_INDEX) << what << ": " << r.status().ToString();
      continue;
    }
    bool list_failed = false;
    for (int l = 0; l < fx.nlist; ++l) {
      auto list = (*r)->list(0, l);
      if (!list.ok()) {
        EXPECT_EQ(ToQvStatus(list.status()), QV_ERR_CORRUPT_INDEX) << what;
        // Stays failed on every later access.
        EXPECT_FALSE((*r)->list(0, l).ok());
        list_failed = true;
      }
    }
    Status v = (*r)->VerifyAll();
    EXPECT_FALSE(v.ok()) << what << " went unnoticed";
    EXPECT_EQ(ToQvStatus(v), QV_ERR_CORRUPT_INDEX) << what;
    if (what.starts_with("section 5") || what.starts_with("section 6")) {
      EXPECT_TRUE(list_failed) << what << ": posting-list damage must show on first access";
    }
  }
  WriteFileBytes(file, pristine);
  EXPECT_TRUE(Open(dir.path()).ok());

  // The manifest is bound to the binary too.
  const std::string manifest = dir / "manifest.json";
  std::string text = ReadFileBytes(manifest);
  std::string edited = text;
  edited.replace(edited.find("\"emb\""), 5, "\"emc\"");
  WriteFileBytes(manifest, edited);
  auto r = Open(dir.path());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(ToQvStatus(r.status()), QV_ERR_CORRUPT_INDEX);
  WriteFileBytes(manifest, "{ not json");
  r = Open(dir.path());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(ToQvStatus(r.status()), QV_ERR_CORRUPT_INDEX);
}

TEST(IndexFormat, UnknownSectionsAreIgnored) {
  // What a later writer does: append a section this reader does not know,
  // with a new section table at the end of the file.
  TempDir dir("format-unknown");
  Fixture fx;
  ASSERT_TRUE(WriteIndex(dir.path(), fx.Contents(), nullptr).ok());
  const std::string file = IndexFile(dir.path());
  std::string bytes = ReadFileBytes(file);
  format::FileHeader header;
  std::memcpy(&header, bytes.data(), sizeof header);
  std::vector<format::SectionEntry> table(header.n_sections);
  std::memcpy(table.data(), bytes.data() + header.section_table_offset, table.size() * sizeof table[0]);
  std::string extra(64, 'x');
  table.push_back({999, 0, bytes.size(), extra.size(), Checksum(extra.data(), extra.size())});
  bytes += extra;
  header.section_table_offset = bytes.size();
  bytes.append(reinterpret_cast<const char*>(table.data()), table.size() * sizeof table[0]);
  bytes.resize(format::AlignUp(bytes.size()), '\0');
  header.n_sections = static_cast<uint32_t>(table.size());
  header.file_bytes = bytes.size();
  header.section_table_checksum = Checksum(table.data(), table.size() * sizeof table[0]);
  // The manifest records the file size; the newer writer updates it.
  const std::string manifest = dir / "manifest.json";
  auto m = Manifest::Parse(ReadFileBytes(manifest), manifest);
  ASSERT_TRUE(m.ok());
  m->index_file_bytes = bytes.size();
  const std::string text = m->ToJson();
  header.manifest_checksum = Checksum(text.data(), text.size());
  header.header_checksum = Checksum(&header, offsetof(format::FileHeader, header_checksum));
  std::memcpy(bytes.data(), &header, sizeof header);
  WriteFileBytes(file, bytes);
  WriteFileBytes(manifest, text);
  auto r = Open(dir.path());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  for (int l = 0; l < fx.nlist; ++l) EXPECT_TRUE((*r)->list(0, l).ok());
  EXPECT_TRUE((*r)->VerifyAll().ok());
}

TEST(IndexFormat, FailedWriteLeavesPreviousIndexUntouched) {
  TempDir dir("format-atomic");
  Fixture first(1);
  ASSERT_TRUE(WriteIndex(dir.path(), first.Contents(), nullptr).ok());
  std::map<std::string, std::string> before;
  for (const auto& e : fs::directory_iterator(dir.path())) before[e.path().string()] = ReadFileBytes(e.path());

  Fixture second(2);
  int calls = 0;
  Status st = WriteIndex(dir.path(), second.Contents(), [&](int64_t done, int64_t total) {
    return ++calls == 4 ? Cancelled("stop") : Status::OK();
  });
  EXPECT_EQ(ToQvStatus(st), QV_ERR_CANCELLED);
  std::map<std::string, std::string> after;
  for (const auto& e : fs::directory_iterator(dir.path())) after[e.path().string()] = ReadFileBytes(e.path());
  EXPECT_EQ(before, after);

  // A successful rewrite replaces the index and leaves one binary file.
  ASSERT_TRUE(WriteIndex(dir.path(), second.Contents(), nullptr).ok());
  int binaries = 0;
  for (const auto& e : fs::directory_iterator(dir.path())) {
    binaries += e.path().extension() == format::kIndexFileSuffix;
    EXPECT_FALSE(e.path().string().ends_with(".tmp"));
  }
  EXPECT_EQ(binaries, 1);
  auto r = Open(dir.path());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::memcmp((*r)->centroids(), second.centroids.data(), second.centroids.size() * 4), 0);
}

}  // namespace
}  // namespace quiver
