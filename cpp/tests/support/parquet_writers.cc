#include "support/parquet_writers.h"

#include <arrow/api.h>
#include <arrow/io/file.h>
#include <arrow/util/float16.h>
#include <parquet/arrow/writer.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <random>

namespace quiver::testing {
namespace {

bool IsArrowLayout(VectorLayoutKind k) {
  return k == VectorLayoutKind::kArrowList || k == VectorLayoutKind::kArrowLargeList ||
         k == VectorLayoutKind::kArrowFixedSizeList || k == VectorLayoutKind::kArrowListDouble ||
         k == VectorLayoutKind::kArrowListHalf;
}

// What a reader decodes for a value written in this layout.
float AsStored(VectorLayoutKind k, float x) {
  if (k == VectorLayoutKind::kArrowListHalf) return arrow::util::Float16(x).ToFloat();
  return x;
}

arrow::Result<std::shared_ptr<arrow::Table>> PayloadTable(int64_t first_id, int64_t n, int file) {
  auto* pool = arrow::default_memory_pool();
  arrow::Int64Builder id(pool);
  arrow::Int32Builder part(pool);
  arrow::StringBuilder name(pool);
  arrow::DoubleBuilder score(pool);
  arrow::BooleanBuilder flag(pool);
  arrow::TimestampBuilder ts(arrow::timestamp(arrow::TimeUnit::MICRO), pool);
  auto tag_values = std::make_shared<arrow::StringBuilder>(pool);
  arrow::ListBuilder tags(pool, tag_values);
  auto a = std::make_shared<arrow::Int32Builder>(pool);
  auto b = std::make_shared<arrow::StringBuilder>(pool);
  auto info_type = arrow::struct_({arrow::field("a", arrow::int32()), arrow::field("b", arrow::utf8())});
  arrow::StructBuilder info(info_type, pool, {a, b});
  for (int64_t i = 0; i < n; ++i) {
    const int64_t g = first_id + i;
    ARROW_RETURN_NOT_OK(id.Append(g));
    ARROW_RETURN_NOT_OK(part.Append(file));
    ARROW_RETURN_NOT_OK(name.Append("row-" + std::to_string(g)));
    ARROW_RETURN_NOT_OK(g % 7 == 3 ? score.AppendNull() : score.Append(g * 0.5));
    ARROW_RETURN_NOT_OK(flag.Append(g % 2 == 0));
    ARROW_RETURN_NOT_OK(ts.Append(1700000000000000LL + g * 1000));
    ARROW_RETURN_NOT_OK(tags.Append());
    for (int64_t t = 0; t < g % 3; ++t) ARROW_RETURN_NOT_OK(tag_values->Append("t" + std::to_string(t)));
    ARROW_RETURN_NOT_OK(info.Append());
    ARROW_RETURN_NOT_OK(a->Append(static_cast<int32_t>(g * 3)));
    ARROW_RETURN_NOT_OK(b->Append("b" + std::to_string(g)));
  }
  std::vector<std::shared_ptr<arrow::Array>> arrays;
  for (arrow::ArrayBuilder* builder : std::initializer_list<arrow::ArrayBuilder*>{
           &id, &part, &name, &score, &flag, &ts, &tags, &info}) {
    std::shared_ptr<arrow::Array> arr;
    ARROW_RETURN_NOT_OK(builder->Finish(&arr));
    arrays.push_back(arr);
  }
  auto schema = arrow::schema({arrow::field("id", arrow::int64(), false), arrow::field("part", arrow::int32()),
                               arrow::field("name", arrow::utf8()), arrow::field("score", arrow::float64()),
                               arrow::field("flag", arrow::boolean()),
                               arrow::field("ts", arrow::timestamp(arrow::TimeUnit::MICRO)),
                               arrow::field("tags", arrow::list(arrow::utf8())), arrow::field("info", info_type)});
  return arrow::Table::Make(schema, arrays);
}

}  // namespace

std::vector<float> ClusteredVectors(int64_t n, int32_t dim, int clusters, float spread, uint64_t seed) {
  std::mt19937_64 g(seed);
  std::normal_distribution<float> z(0, 1);
  std::vector<float> centres(static_cast<size_t>(clusters) * dim);
  for (auto& c : centres) c = z(g);
  std::vector<float> x(static_cast<size_t>(n) * dim);
  for (int64_t i = 0; i < n; ++i) {
    const float* c = centres.data() + (g() % clusters) * dim;
    for (int32_t j = 0; j < dim; ++j) x[i * dim + j] = c[j] + spread * z(g);
  }
  return x;
}

arrow::Result<Corpus> WriteCorpus(const std::string& dir, const CorpusSpec& spec) {
  std::filesystem::create_directories(dir);
  const int32_t dim = spec.dim;
  const bool fixed = spec.layout == VectorLayoutKind::kArrowFixedSizeList;
  const bool nulls_ok = LayoutHasNullRows(spec.layout);
  const bool arrow_layout = IsArrowLayout(spec.layout);
  auto defect = [](int64_t g, int64_t every) { return every > 0 && g % every == every - 1; };

  Corpus c;
  c.dim = dim;
  std::vector<float> all = ClusteredVectors(spec.rows_per_file * spec.files, dim, spec.clusters,
                                            spec.cluster_spread, spec.seed);
  for (int f = 0; f < spec.files; ++f) {
    const int64_t n = spec.rows_per_file;
    std::vector<VectorRow> rows(static_cast<size_t>(n));
    std::vector<float> decoded(static_cast<size_t>(n) * dim, 0.0f);
    std::vector<RowStatus> status(static_cast<size_t>(n), RowStatus::kOk);
    for (int64_t r = 0; r < n; ++r) {
      const int64_t g = f * n + r;
      const float* v = all.data() + g * dim;
      if (nulls_ok && defect(g, spec.null_every)) {
        status[r] = RowStatus::kNull;
        ++c.nulls;
        continue;
      }
      std::vector<std::optional<float>> row(v, v + dim);
      if (!fixed && defect(g, spec.wrong_length_every)) {
        row.push_back(1.0f);
        status[r] = RowStatus::kWrongLength;
        ++c.wrong_length;
      } else if (defect(g, spec.non_finite_every)) {
        row[g % dim] = (g / spec.non_finite_every) % 2 ? std::numeric_limits<float>::infinity()
                                                      : std::numeric_limits<float>::quiet_NaN();
        status[r] = RowStatus::kNonFinite;
        ++c.non_finite;
      } else {
        for (int32_t j = 0; j < dim; ++j) decoded[r * dim + j] = AsStored(spec.layout, v[j]);
        ++c.usable;
      }
      rows[r] = std::move(row);
    }
    char name[64];
    std::snprintf(name, sizeof name, "%s%05d.parquet", spec.file_prefix.c_str(), f);
    const std::string path = (std::filesystem::path(dir) / name).string();
    if (arrow_layout) {
      ARROW_ASSIGN_OR_RAISE(auto vectors, BuildArrowVectors(spec.layout, rows, dim));
      std::shared_ptr<arrow::Table> table;
      auto field = arrow::field(spec.column, vectors->type());
      if (spec.payload) {
        ARROW_ASSIGN_OR_RAISE(auto payload, PayloadTable(f * n, n, f));
        ARROW_ASSIGN_OR_RAISE(table, payload->AddColumn(2, field, std::make_shared<arrow::ChunkedArray>(vectors)));
      } else {
        table = arrow::Table::Make(arrow::schema({field}), {vectors});
      }
      ARROW_ASSIGN_OR_RAISE(auto sink, arrow::io::FileOutputStream::Open(path));
      auto props = parquet::WriterProperties::Builder()
                       .max_row_group_length(spec.row_group_rows)
                       ->compression(spec.compression)
                       ->build();
      ARROW_RETURN_NOT_OK(parquet::arrow::WriteTable(*table, arrow::default_memory_pool(), sink,
                                                     spec.row_group_rows, props));
      ARROW_RETURN_NOT_OK(sink->Close());
    } else {
      VectorFileOptions o;
      o.column = spec.column;
      o.row_group_rows = spec.row_group_rows;
      o.compression = spec.compression;
      ARROW_RETURN_NOT_OK(WriteVectorFile(path, spec.layout, rows, dim, o));
    }
    c.paths.push_back(path);
    c.vectors.push_back(std::move(decoded));
    c.status.push_back(std::move(status));
    c.rows_total += n;
  }
  return c;
}

}  // namespace quiver::testing
