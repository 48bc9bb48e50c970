#include <arrow/api.h>
#include <arrow/io/file.h>
#include <gtest/gtest.h>
#include <parquet/arrow/reader.h>
#include <parquet/arrow/writer.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "parquet/row_fetcher.h"
#include "parquet/fingerprint.h"
#include "quiver/quiver.h"
#include "support/temp_dir.h"
#include "support/vector_files.h"

namespace quiver {
namespace {

// A table whose every cell says which file and row it came from, in columns
// of several kinds: ints, strings, lists, structs, maps, float vectors.
std::shared_ptr<arrow::Table> MakeTable(int file, int64_t rows) {
  arrow::Int64Builder id;
  arrow::StringBuilder name;
  auto tag_values = std::make_shared<arrow::StringBuilder>();
  arrow::ListBuilder tags(arrow::default_memory_pool(), tag_values);
  auto a = std::make_shared<arrow::Int32Builder>();
  auto b = std::make_shared<arrow::StringBuilder>();
  auto info_type = arrow::struct_({arrow::field("a", arrow::int32()), arrow::field("b", arrow::utf8())});
  arrow::StructBuilder info(info_type, arrow::default_memory_pool(), {a, b});
  auto keys = std::make_shared<arrow::StringBuilder>();
  auto items = std::make_shared<arrow::Int32Builder>();
  arrow::MapBuilder attrs(arrow::default_memory_pool(), keys, items);
  auto floats = std::make_shared<arrow::FloatBuilder>();
  arrow::ListBuilder vec(arrow::default_memory_pool(), floats);
  for (int64_t r = 0; r < rows; ++r) {
    const std::string label = "f" + std::to_string(file) + "r" + std::to_string(r);
    EXPECT_TRUE(id.Append(file * 100000 + r).ok());
    EXPECT_TRUE((r % 9 == 4 ? name.AppendNull() : name.Append(label)).ok());
    if (r % 7 == 2) {
      EXPECT_TRUE(tags.AppendNull().ok());
    } else {
      EXPECT_TRUE(tags.Append().ok());
      for (int64_t t = 0; t < r % 4; ++t) EXPECT_TRUE(tag_values->Append(label + "t" + std::to_string(t)).ok());
    }
    EXPECT_TRUE(info.Append().ok());
    EXPECT_TRUE(a->Append(static_cast<int32_t>(r)).ok());
    EXPECT_TRUE(b->Append(label).ok());
    EXPECT_TRUE(attrs.Append().ok());
    EXPECT_TRUE(keys->Append("k").ok());
    EXPECT_TRUE(items->Append(static_cast<int32_t>(r * 2)).ok());
    EXPECT_TRUE(vec.Append().ok());
    for (int j = 0; j < 4; ++j) EXPECT_TRUE(floats->Append(static_cast<float>(file + r * 0.5 + j)).ok());
  }
  std::vector<std::shared_ptr<arrow::Array>> arrays(6);
  EXPECT_TRUE(id.Finish(&arrays[0]).ok());
  EXPECT_TRUE(name.Finish(&arrays[1]).ok());
  EXPECT_TRUE(tags.Finish(&arrays[2]).ok());
  EXPECT_TRUE(info.Finish(&arrays[3]).ok());
  EXPECT_TRUE(attrs.Finish(&arrays[4]).ok());
  EXPECT_TRUE(vec.Finish(&arrays[5]).ok());
  auto schema = arrow::schema({arrow::field("id", arrow::int64(), false), arrow::field("name", arrow::utf8()),
                               arrow::field("tags", arrays[2]->type()), arrow::field("info", info_type),
                               arrow::field("attrs", arrays[4]->type()), arrow::field("vec", arrays[5]->type())});
  return arrow::Table::Make(schema, arrays);
}

void WriteTable(const arrow::Table& table, const std::string& path, int64_t row_group_rows) {
  auto sink = arrow::io::FileOutputStream::Open(path);
  ASSERT_TRUE(sink.ok());
  auto props = parquet::WriterProperties::Builder().compression(parquet::Compression::SNAPPY)->build();
  ASSERT_TRUE(parquet::arrow::WriteTable(table, arrow::default_memory_pool(), *sink, row_group_rows, props).ok());
  ASSERT_TRUE((*sink)->Close().ok());
}

struct Corpus {
  std::vector<SourceFile> files;
  std::vector<std::shared_ptr<arrow::Table>> tables;  // as read back whole
};

Corpus MakeCorpus(const std::string& dir) {
  Corpus c;
  const int64_t sizes[] = {500, 37, 260};
  for (int f = 0; f < 3; ++f) {
    const std::string path = dir + "/part-" + std::to_string(f) + ".parquet";
    WriteTable(*MakeTable(f, sizes[f]), path, 100);
    auto sf = testing::DescribeSourceFile(path);
    EXPECT_TRUE(sf.ok());
    c.files.push_back(*sf);
    auto reader = parquet::arrow::OpenFile(*arrow::io::ReadableFile::Open(path), arrow::default_memory_pool());
    EXPECT_TRUE(reader.ok());
    auto table = (*reader)->ReadTable();
    EXPECT_TRUE(table.ok());
    c.tables.push_back(*table);
  }
  return c;
}

// The rows `keys` of the corpus, columns `columns`, read by slicing whole tables.
std::shared_ptr<arrow::Table> Expected(const Corpus& c, const std::vector<uint64_t>& keys,
                                       const std::vector<std::string>& columns) {
  std::vector<std::shared_ptr<arrow::Table>> rows;
  for (uint64_t k : keys) {
    auto t = c.tables[QV_ROW_KEY_FILE(k)];
    std::vector<int> idx;
    for (const auto& name : columns) idx.push_back(t->schema()->GetFieldIndex(name));
    rows.push_back((*t->SelectColumns(idx))->Slice(QV_ROW_KEY_ROW(k), 1));
  }
  return *(*arrow::ConcatenateTables(rows))->CombineChunks();
}

Result<std::shared_ptr<arrow::RecordBatchReader>> FetchFrom(const std::vector<SourceFile>& files,
                                                            const uint64_t* keys, int64_t n,
                                                            const std::vector<std::string>& columns) {
  SourceReader source(files);
  ThreadPool pool;
  return FetchRows(source, keys, n, columns, IoOptions{}, pool);
}

// With `source`, the calls share one SourceReader, as the calls on one index
// handle do; without, each call opens the files anew.
std::shared_ptr<arrow::Table> Fetch(const Corpus& c, const std::vector<uint64_t>& keys,
                                    const std::vector<std::string>& columns, Status* status = nullptr,
                                    SourceReader* source = nullptr) {
  ThreadPool pool;
  auto reader = source ? FetchRows(*source, keys.data(), static_cast<int64_t>(keys.size()), columns,
                                   IoOptions{}, pool)
                       : FetchFrom(c.files, keys.data(), static_cast<int64_t>(keys.size()), columns);
  if (status) *status = reader.status();
  if (!reader.ok()) return nullptr;
  auto table = (*reader)->ToTable();
  EXPECT_TRUE(table.ok()) << table.status().ToString();
  return *(*table)->CombineChunks();
}

TEST(RowFetcherTest, CallerOrderDuplicatesAndTypesAcrossFiles) {
  testing::TempDir dir("fetch_types");
  const Corpus c = MakeCorpus(dir.path());
  std::mt19937_64 rng(5);
  std::vector<uint64_t> keys;
  for (int i = 0; i < 200; ++i) {
    const uint32_t f = static_cast<uint32_t>(rng() % 3);
    keys.push_back(QV_ROW_KEY(f, rng() % c.files[f].rows));
  }
  keys.push_back(keys[3]);
  keys.push_back(keys[3]);
  keys.push_back(QV_ROW_KEY(1, 36));
  keys.push_back(QV_ROW_KEY(0, 0));
  const std::vector<std::string> columns = {"info", "id", "attrs", "tags", "vec", "name"};
  auto got = Fetch(c, keys, columns);
  ASSERT_TRUE(got);
  ASSERT_EQ(got->num_rows(), static_cast<int64_t>(keys.size()));
  ASSERT_EQ(got->schema()->field_names(), columns);
  auto want = Expected(c, keys, columns);
  EXPECT_TRUE(got->Equals(*want, /*check_metadata=*/false)) << got->ToString().substr(0, 2000);
}

TEST(RowFetcherTest, OneKeyAndNoKeys) {
  testing::TempDir dir("fetch_small");
  const Corpus c = MakeCorpus(dir.path());
  const std::vector<uint64_t> one = {QV_ROW_KEY(2, 259)};
  auto got = Fetch(c, one, {"name"});
  ASSERT_TRUE(got);
  EXPECT_TRUE(got->Equals(*Expected(c, one, {"name"}), false));

  auto none = Fetch(c, {}, {"id", "tags"});
  ASSERT_TRUE(none);
  EXPECT_EQ(none->num_rows(), 0);
  EXPECT_EQ(none->schema()->field_names(), (std::vector<std::string>{"id", "tags"}));
}

TEST(RowFetcherTest, ClearErrors) {
  testing::TempDir dir("fetch_errors");
  Corpus c = MakeCorpus(dir.path());
  Status st;
  EXPECT_FALSE(Fetch(c, {QV_ROW_KEY(0, 1)}, {"id", "nope"}, &st));
  EXPECT_EQ(ToQvStatus(st), QV_ERR_NOT_FOUND) << st.ToString();
  EXPECT_NE(st.message().find("nope"), std::string::npos);

  EXPECT_FALSE(Fetch(c, {QV_ROW_KEY(0, 1), QV_ROW_KEY(1, 37)}, {"id"}, &st));
  EXPECT_EQ(ToQvStatus(st), QV_ERR_INVALID_ARGUMENT) << st.ToString();
  EXPECT_NE(st.message().find(c.files[1].path), std::string::npos);
  EXPECT_FALSE(Fetch(c, {QV_ROW_KEY(3, 0)}, {"id"}, &st));
  EXPECT_EQ(ToQvStatus(st), QV_ERR_INVALID_ARGUMENT) << st.ToString();

  // A file changed after the handle's first read of it is refused by the
  // next fetch, as is one changed before the first read.
  SourceReader shared(c.files);
  ASSERT_TRUE(Fetch(c, {QV_ROW_KEY(1, 0)}, {"id"}, &st, &shared)) << st.ToString();
  {
    std::ofstream(c.files[1].path, std::ios::app) << "x";
  }
  EXPECT_FALSE(Fetch(c, {QV_ROW_KEY(1, 0)}, {"id"}, &st, &shared));
  EXPECT_EQ(ToQvStatus(st), QV_ERR_STALE_INDEX) << st.ToString();
  EXPECT_NE(st.message().find(c.files[1].path), std::string::npos);
  EXPECT_FALSE(Fetch(c, {QV_ROW_KEY(1, 0)}, {"id"}, &st));
  EXPECT_EQ(ToQvStatus(st), QV_ERR_STALE_INDEX) << st.ToString();
  // The other file still answers through the same reader.
  EXPECT_TRUE(Fetch(c, {QV_ROW_KEY(0, 2)}, {"id"}, &st, &shared)) << st.ToString();
}

TEST(RowFetcherTest, ColumnTypeMustAgreeAcrossFiles) {
  testing::TempDir temp("fetch_mismatch");
  const std::string dir = temp.path();
  std::vector<SourceFile> files;
  for (int f = 0; f < 2; ++f) {
    std::shared_ptr<arrow::Array> values;
    if (f == 0) {
      arrow::Int64Builder b;
      ASSERT_TRUE(b.AppendValues({1, 2, 3}).ok());
      ASSERT_TRUE(b.Finish(&values).ok());
    } else {
      arrow::StringBuilder b;
      ASSERT_TRUE(b.AppendValues({"a", "b", "c"}).ok());
      ASSERT_TRUE(b.Finish(&values).ok());
    }
    const std::string path = dir + "/p" + std::to_string(f) + ".parquet";
    WriteTable(*arrow::Table::Make(arrow::schema({arrow::field("x", values->type())}), {values}), path, 10);
    files.push_back(*testing::DescribeSourceFile(path));
  }
  const std::vector<uint64_t> keys = {QV_ROW_KEY(0, 1), QV_ROW_KEY(1, 2)};
  auto r = FetchFrom(files, keys.data(), 2, {"x"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(ToQvStatus(r.status()), QV_ERR_INVALID_ARGUMENT) << r.status().ToString();
  EXPECT_NE(r.status().message().find("'x'"), std::string::npos);
}

// Every readable parquet-testing file as a one-file corpus: its first, last
// and a middle row, all columns, in a scrambled order with a duplicate, must
// equal a whole-file read; unreadable files fail with a clear error.
TEST(RowFetcherTest, ParquetTestingCorpus) {
  int64_t fetched = 0;
  for (const char* sub : {"data", "bad_data"}) {
    for (const auto& entry :
         std::filesystem::directory_iterator(std::filesystem::path(QUIVER_PARQUET_TESTING_DIR) / sub)) {
      const std::string path = entry.path().string();
      if (entry.path().extension() != ".parquet") continue;
      SCOPED_TRACE(path);
      auto sf = testing::DescribeSourceFile(path);
      if (!sf.ok()) continue;  // no footer to describe: nothing an index could hold
      std::shared_ptr<arrow::Table> whole;
      {
        auto file = arrow::io::ReadableFile::Open(path);
        auto reader = parquet::arrow::OpenFile(*file, arrow::default_memory_pool());
        // A file that inflates to gigabytes (large_string_map) would make
        // the suite slow, not more thorough.
        int64_t inflated = 0;
        for (int g = 0; reader.ok() && g < (*reader)->num_row_groups(); ++g) {
          inflated += (*reader)->parquet_reader()->metadata()->RowGroup(g)->total_byte_size();
        }
        if (inflated > (256 << 20)) continue;
        if (reader.ok()) {
          auto t = (*reader)->ReadTable();
          if (t.ok()) whole = *(*t)->CombineChunks();
        }
      }
      std::vector<std::string> columns;
      if (whole) columns = whole->schema()->field_names();
      else columns = {"id"};
      const uint32_t last = static_cast<uint32_t>(std::max<int64_t>(sf->rows, 1) - 1);
      const std::vector<uint64_t> keys = {QV_ROW_KEY(0, last), QV_ROW_KEY(0, last / 2), QV_ROW_KEY(0, 0),
                                          QV_ROW_KEY(0, last)};
      auto r = FetchFrom({*sf}, keys.data(), sf->rows > 0 ? 4 : 0, columns);
      std::shared_ptr<arrow::Table> got;
      Status st = r.status();
      if (r.ok()) {
        auto t = (*r)->ToTable();
        st = t.status();
        if (t.ok()) got = *(*t)->CombineChunks();
      }
      if (!st.ok()) {
        const qv_status code = ToQvStatus(st);
        EXPECT_TRUE(code == QV_ERR_IO || code == QV_ERR_NOT_FOUND || code == QV_ERR_UNSUPPORTED ||
                    code == QV_ERR_INVALID_ARGUMENT)
            << st.ToString();
        if (whole && sf->rows > 0 && whole->num_rows() == sf->rows) {
          ADD_FAILURE() << "a file Arrow reads whole failed to fetch: " << st.ToString();
        }
        continue;
      }
      if (!whole || sf->rows == 0) continue;
      ASSERT_EQ(got->num_rows(), 4);
      std::vector<std::shared_ptr<arrow::Table>> rows;
      for (uint64_t k : keys) rows.push_back(whole->Slice(QV_ROW_KEY_ROW(k), 1));
      auto want = *(*arrow::ConcatenateTables(rows))->CombineChunks();
      EXPECT_TRUE(got->Equals(*want, arrow::EqualOptions::Defaults().nans_equal(true)));
      ++fetched;
    }
  }
  EXPECT_GT(fetched, 30);
}

}  // namespace
}  // namespace quiver
