#include "support/vector_files.h"

#include <arrow/api.h>
#include <arrow/io/file.h>
#include <arrow/util/float16.h>
#include <parquet/arrow/writer.h>
#include <parquet/column_writer.h>
#include <parquet/file_reader.h>
#include <parquet/file_writer.h>

#include <cstdlib>
#include <filesystem>
#include <random>

#include "parquet/fingerprint.h"

namespace quiver::testing {

namespace {

std::shared_ptr<parquet::WriterProperties> WriterProps(const VectorFileOptions& o) {
  parquet::WriterProperties::Builder b;
  b.max_row_group_length(o.row_group_rows)
      ->max_rows_per_page(o.page_rows)
      ->data_pagesize(o.page_bytes)
      ->write_batch_size(o.split_rows_across_pages ? 7 : std::min<int64_t>(1024, o.page_rows))
      ->compression(o.compression)
      ->data_page_version(o.data_page_v2 ? parquet::ParquetDataPageVersion::V2
                                         : parquet::ParquetDataPageVersion::V1);
  if (o.dictionary) {
    b.enable_dictionary();
  } else {
    b.disable_dictionary();
  }
  if (o.page_index) {
    b.enable_write_page_index();
  } else {
    b.disable_write_page_index();  // Arrow writes one by default
  }
  return b.build();
}

template <typename ListBuilderT, typename ValueBuilderT, typename Convert>
arrow::Result<std::shared_ptr<arrow::Array>> BuildList(std::shared_ptr<ListBuilderT> lists,
                                                       ValueBuilderT* values,
                                                       const std::vector<VectorRow>& rows,
                                                       Convert convert) {
  for (const auto& row : rows) {
    if (!row) {
      ARROW_RETURN_NOT_OK(lists->AppendNull());
      continue;
    }
    ARROW_RETURN_NOT_OK(lists->Append());
    for (const auto& x : *row) {
      if (x) {
        ARROW_RETURN_NOT_OK(values->Append(convert(*x)));
      } else {
        ARROW_RETURN_NOT_OK(values->AppendNull());
      }
    }
  }
  return lists->Finish();
}

}  // namespace

arrow::Result<std::shared_ptr<arrow::Array>> BuildArrowVectors(VectorLayoutKind kind,
                                                               const std::vector<VectorRow>& rows,
                                                               int32_t dim) {
  auto* pool = arrow::default_memory_pool();
  const auto same = [](float x) { return x; };
  switch (kind) {
    case VectorLayoutKind::kArrowList: {
      auto values = std::make_shared<arrow::FloatBuilder>(pool);
      return BuildList(std::make_shared<arrow::ListBuilder>(pool, values), values.get(), rows, same);
    }
    case VectorLayoutKind::kArrowLargeList: {
      auto values = std::make_shared<arrow::FloatBuilder>(pool);
      return BuildList(std::make_shared<arrow::LargeListBuilder>(pool, values), values.get(), rows,
                       same);
    }
    case VectorLayoutKind::kArrowFixedSizeList: {
      auto values = std::make_shared<arrow::FloatBuilder>(pool);
      for (const auto& row : rows) {
        if (row && static_cast<int32_t>(row->size()) != dim) {
          return arrow::Status::Invalid("fixed_size_list rows must have length ", dim);
        }
      }
      return BuildList(std::make_shared<arrow::FixedSizeListBuilder>(pool, values, dim),
                       values.get(), rows, same);
    }
    case VectorLayoutKind::kArrowListDouble: {
      auto values = std::make_shared<arrow::DoubleBuilder>(pool);
      return BuildList(std::make_shared<arrow::ListBuilder>(pool, values), values.get(), rows,
                       [](float x) { return static_cast<double>(x); });
    }
    case VectorLayoutKind::kArrowListHalf: {
      auto values = std::make_shared<arrow::HalfFloatBuilder>(pool);
      return BuildList(std::make_shared<arrow::ListBuilder>(pool, values), values.get(), rows,
                       [](float x) { return arrow::util::Float16(x); });
    }
    default:
      return arrow::Status::Invalid("not an Arrow layout");
  }
}

namespace {

arrow::Status WriteWithArrow(const std::string& path, VectorLayoutKind kind,
                             const std::vector<VectorRow>& rows, int32_t dim,
                             const VectorFileOptions& o) {
  ARROW_ASSIGN_OR_RAISE(auto vectors, BuildArrowVectors(kind, rows, dim));
  std::vector<std::shared_ptr<arrow::Field>> fields;
  std::vector<std::shared_ptr<arrow::Array>> columns;
  if (o.with_id_column) {
    arrow::Int64Builder ids;
    for (int64_t i = 0; i < static_cast<int64_t>(rows.size()); ++i) ARROW_RETURN_NOT_OK(ids.Append(i));
    ARROW_ASSIGN_OR_RAISE(auto id_array, ids.Finish());
    fields.push_back(arrow::field("id", arrow::int64(), false));
    columns.push_back(id_array);
  }
  fields.push_back(arrow::field(o.column, vectors->type()));
  columns.push_back(vectors);
  auto table = arrow::Table::Make(arrow::schema(fields), columns);
  ARROW_ASSIGN_OR_RAISE(auto sink, arrow::io::FileOutputStream::Open(path));
  auto arrow_props = parquet::ArrowWriterProperties::Builder().store_schema()->build();
  ARROW_RETURN_NOT_OK(parquet::arrow::WriteTable(*table, arrow::default_memory_pool(), sink,
                                                 o.row_group_rows, WriterProps(o), arrow_props));
  return sink->Close();
}

arrow::Status WriteWithLevels(const std::string& path, VectorLayoutKind kind,
                              const std::vector<VectorRow>& rows, const VectorFileOptions& o) {
  using parquet::Repetition;
  using parquet::Type;
  using parquet::schema::GroupNode;
  using parquet::schema::PrimitiveNode;
  bool list_optional = false, element_optional = false;
  parquet::schema::NodePtr vector_node;
  switch (kind) {
    case VectorLayoutKind::kSparkArray:
      list_optional = element_optional = true;
      vector_node = GroupNode::Make(
          o.column, Repetition::OPTIONAL,
          {GroupNode::Make("list", Repetition::REPEATED,
                           {PrimitiveNode::Make("element", Repetition::OPTIONAL, Type::FLOAT)})},
          parquet::LogicalType::List());
      break;
    case VectorLayoutKind::kRequiredList:
      vector_node = GroupNode::Make(
          o.column, Repetition::REQUIRED,
          {GroupNode::Make("list", Repetition::REPEATED,
                           {PrimitiveNode::Make("element", Repetition::REQUIRED, Type::FLOAT)})},
          parquet::LogicalType::List());
      break;
    case VectorLayoutKind::kLegacyTwoLevel:
      list_optional = true;
      vector_node = GroupNode::Make(
          o.column, Repetition::OPTIONAL,
          {PrimitiveNode::Make("array", Repetition::REPEATED, Type::FLOAT)},
          parquet::LogicalType::List());
      break;
    case VectorLayoutKind::kRepeatedPrimitive:
      vector_node = PrimitiveNode::Make(o.column, Repetition::REPEATED, Type::FLOAT);
      break;
    default:
      return arrow::Status::Invalid("not a level-written layout");
  }
  parquet::schema::NodeVector fields;
  if (o.with_id_column) fields.push_back(PrimitiveNode::Make("id", Repetition::REQUIRED, Type::INT64));
  fields.push_back(vector_node);
  auto root = std::static_pointer_cast<GroupNode>(
      GroupNode::Make("schema", Repetition::REQUIRED, fields));

  const int16_t list_def = list_optional ? 2 : 1;
  const int16_t max_def = list_def + (element_optional ? 1 : 0);
  ARROW_ASSIGN_OR_RAISE(auto sink, arrow::io::FileOutputStream::Open(path));
  try {
    auto writer = parquet::ParquetFileWriter::Open(sink, root, WriterProps(o));
    const int64_t n = static_cast<int64_t>(rows.size());
    for (int64_t start = 0; start < n || (n == 0 && start == 0); start += o.row_group_rows) {
      const int64_t end = std::min(n, start + o.row_group_rows);
      auto* rg = writer->AppendRowGroup();
      if (o.with_id_column) {
        std::vector<int64_t> ids;
        for (int64_t i = start; i < end; ++i) ids.push_back(i);
        static_cast<parquet::Int64Writer*>(rg->NextColumn())
            ->WriteBatch(static_cast<int64_t>(ids.size()), nullptr, nullptr, ids.data());
      }
      auto* col = static_cast<parquet::FloatWriter*>(rg->NextColumn());
      // Rows are written one at a time so the writer may cut pages between
      // them, unless pages are meant to split rows.
      std::vector<int16_t> def, rep;
      std::vector<float> values;
      for (int64_t i = start; i < end; ++i) {
        if (!o.split_rows_across_pages) {
          def.clear();
          rep.clear();
          values.clear();
        }
        const VectorRow& row = rows[i];
        if (!row) {
          if (!list_optional) return arrow::Status::Invalid("layout cannot hold a null row");
          def.push_back(0);
          rep.push_back(0);
        } else if (row->empty()) {
          def.push_back(list_def - 1);
          rep.push_back(0);
        } else {
          for (size_t j = 0; j < row->size(); ++j) {
            rep.push_back(j == 0 ? 0 : 1);
            if ((*row)[j]) {
              def.push_back(max_def);
              values.push_back(*(*row)[j]);
            } else {
              if (!element_optional) return arrow::Status::Invalid("layout cannot hold a null element");
              def.push_back(max_def - 1);
            }
          }
        }
        if (!o.split_rows_across_pages) {
          col->WriteBatch(static_cast<int64_t>(def.size()), def.data(), rep.data(), values.data());
        }
      }
      if (o.split_rows_across_pages) {
        col->WriteBatch(static_cast<int64_t>(def.size()), def.data(), rep.data(), values.data());
      }
      if (n == 0) break;
    }
    writer->Close();
  } catch (const std::exception& e) {
    return arrow::Status::IOError(e.what());
  }
  return sink->Close();
}

}  // namespace

std::string LayoutName(VectorLayoutKind kind) {
  switch (kind) {
    case VectorLayoutKind::kArrowList: return "ArrowList";
    case VectorLayoutKind::kArrowLargeList: return "ArrowLargeList";
    case VectorLayoutKind::kArrowFixedSizeList: return "ArrowFixedSizeList";
    case VectorLayoutKind::kArrowListDouble: return "ArrowListDouble";
    case VectorLayoutKind::kArrowListHalf: return "ArrowListHalf";
    case VectorLayoutKind::kSparkArray: return "SparkArray";
    case VectorLayoutKind::kRequiredList: return "RequiredList";
    case VectorLayoutKind::kLegacyTwoLevel: return "LegacyTwoLevel";
    case VectorLayoutKind::kRepeatedPrimitive: return "RepeatedPrimitive";
  }
  return "?";
}

std::vector<VectorLayoutKind> AllLayouts() {
  return {VectorLayoutKind::kArrowList,       VectorLayoutKind::kArrowLargeList,
          VectorLayoutKind::kArrowFixedSizeList, VectorLayoutKind::kArrowListDouble,
          VectorLayoutKind::kArrowListHalf,   VectorLayoutKind::kSparkArray,
          VectorLayoutKind::kRequiredList,    VectorLayoutKind::kLegacyTwoLevel,
          VectorLayoutKind::kRepeatedPrimitive};
}

bool LayoutHasNullRows(VectorLayoutKind kind) {
  return kind != VectorLayoutKind::kRequiredList && kind != VectorLayoutKind::kRepeatedPrimitive;
}

bool LayoutHasNullElements(VectorLayoutKind kind) {
  return kind != VectorLayoutKind::kRequiredList && kind != VectorLayoutKind::kRepeatedPrimitive &&
         kind != VectorLayoutKind::kLegacyTwoLevel;
}

arrow::Status WriteVectorFile(const std::string& path, VectorLayoutKind kind,
                              const std::vector<VectorRow>& rows, int32_t dim,
                              const VectorFileOptions& options) {
  switch (kind) {
    case VectorLayoutKind::kSparkArray:
    case VectorLayoutKind::kRequiredList:
    case VectorLayoutKind::kLegacyTwoLevel:
    case VectorLayoutKind::kRepeatedPrimitive:
      return WriteWithLevels(path, kind, rows, options);
    default:
      return WriteWithArrow(path, kind, rows, dim, options);
  }
}

std::vector<VectorRow> RandomVectorRows(int64_t n, int32_t dim, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<VectorRow> rows(n);
  for (auto& row : rows) {
    row.emplace(dim);
    for (auto& x : *row) x = u(rng);
  }
  return rows;
}

arrow::Result<SourceFile> DescribeSourceFile(const std::string& path) {
  ARROW_ASSIGN_OR_RAISE(Fingerprint fp, ComputeFingerprint(LocalStorage(), path));
  SourceFile f;
  f.path = std::filesystem::absolute(path).string();
  try {
    f.rows = parquet::ParquetFileReader::OpenFile(path)->metadata()->num_rows();
  } catch (const std::exception& e) {
    return arrow::Status::IOError(e.what());
  }
  f.rows_indexed = f.rows;
  f.size_bytes = fp.size_bytes;
  f.mtime_ns = fp.mtime_ns;
  f.footer_hash = fp.footer_hash;
  return f;
}

}  // namespace quiver::testing
