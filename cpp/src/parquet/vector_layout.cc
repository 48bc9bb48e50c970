#include "parquet/vector_layout.h"

#include <arrow/type.h>
#include <parquet/arrow/schema.h>

namespace quiver {

namespace {

std::string Where(const std::string& path, const std::string& column) {
  return path + ": column '" + column + "'";
}

// Arrow writers store their schema in the footer; it is the only place a
// fixed_size_list's length survives (Parquet itself only knows LIST).
int32_t FixedDimFromArrowSchema(const parquet::FileMetaData& metadata, const std::string& column) {
  std::shared_ptr<arrow::Schema> schema;
  parquet::ArrowReaderProperties props;
  if (!parquet::arrow::FromParquetSchema(metadata.schema(), props, metadata.key_value_metadata(),
                                         &schema)
           .ok()) {
    return 0;
  }
  auto field = schema->GetFieldByName(column);
  if (field && field->type()->id() == arrow::Type::FIXED_SIZE_LIST) {
    return static_cast<const arrow::FixedSizeListType&>(*field->type()).list_size();
  }
  return 0;
}

}  // namespace

Result<VectorLayout> ResolveVectorLayout(const parquet::FileMetaData& metadata,
                                         const std::string& path, const std::string& column) {
  const parquet::SchemaDescriptor* schema = metadata.schema();
  const parquet::schema::GroupNode* root = schema->group_node();
  const int field_index = root->FieldIndex(column);
  if (field_index < 0) return NotFound(Where(path, column) + " not found");
  const parquet::schema::Node* field = root->field(field_index).get();

  VectorLayout layout;
  int leaves = 0;
  for (int i = 0; i < schema->num_columns(); ++i) {
    if (schema->GetColumnRoot(i) == field) {
      ++leaves;
      layout.leaf = i;
    }
  }
  const auto unsupported = [&](const std::string& why) {
    return Unsupported(Where(path, column) + " is not a list of float, double or float16 (" +
                       why + ")");
  };
  if (leaves != 1) return unsupported("it has " + std::to_string(leaves) + " leaf columns");
  layout.descr = schema->Column(layout.leaf);
  if (layout.descr->max_repetition_level() != 1) {
    return unsupported(layout.descr->max_repetition_level() == 0 ? "not repeated"
                                                                : "nested lists");
  }
  switch (layout.descr->physical_type()) {
    case parquet::Type::FLOAT: layout.element = ElementType::kFloat32; break;
    case parquet::Type::DOUBLE: layout.element = ElementType::kFloat64; break;
    case parquet::Type::FIXED_LEN_BYTE_ARRAY:
      if (layout.descr->type_length() == 2 && layout.descr->logical_type() &&
          layout.descr->logical_type()->is_float16()) {
        layout.element = ElementType::kFloat16;
        break;
      }
      return unsupported("element type " + layout.descr->schema_node()->logical_type()->ToString());
    default:
      return unsupported(std::string("element type ") +
                         parquet::TypeToString(layout.descr->physical_type()));
  }
  layout.max_def = layout.descr->max_definition_level();

  // The list holds an element slot once every node down to and including the
  // repeated one is defined: count the non-required nodes on that path.
  std::vector<const parquet::schema::Node*> chain;
  for (const parquet::schema::Node* n = layout.descr->schema_node().get(); n && n != root;
       n = n->parent()) {
    chain.push_back(n);
  }
  int16_t def = 0;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    if (!(*it)->is_required()) ++def;
    if ((*it)->is_repeated()) break;
  }
  layout.list_def = def;
  layout.fixed_dim = FixedDimFromArrowSchema(metadata, column);
  return layout;
}

}  // namespace quiver
