#include "support/datagen.h"

#include <arrow/api.h>
#include <arrow/io/file.h>
#include <parquet/arrow/writer.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace quiver::bench {
namespace {
namespace fs = std::filesystem;

constexpr const char* kMarker = "_QUIVER_DATAGEN";
constexpr int64_t kQueryBase = int64_t{1} << 40;  // query indices, past any corpus

uint64_t SplitMix(uint64_t& s) {
  uint64_t z = (s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// Standard normal pairs by Box-Muller from a SplitMix stream.
class Normal {
 public:
  explicit Normal(uint64_t seed) : state_(seed) {}
  float Next() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double u1 = (static_cast<double>(SplitMix(state_) >> 11) + 0.5) * 0x1.0p-53;
    const double u2 = static_cast<double>(SplitMix(state_) >> 11) * 0x1.0p-53;
    const double r = std::sqrt(-2.0 * std::log(u1));
    spare_ = static_cast<float>(r * std::sin(2 * M_PI * u2));
    has_spare_ = true;
    return static_cast<float>(r * std::cos(2 * M_PI * u2));
  }
  uint64_t Bits() { return SplitMix(state_); }

 private:
  uint64_t state_;
  float spare_ = 0;
  bool has_spare_ = false;
};

}  // namespace

std::string DatagenSpec::Describe() const {
  std::ostringstream s;
  s << "rows=" << rows << " dim=" << dim << " files=" << files << " clusters=" << clusters
    << " subspace_dim=" << subspace_dim << " centre_scale=" << centre_scale
    << " subspace_scale=" << subspace_scale << " noise=" << noise << " seed=" << seed
    << " row_group_rows=" << row_group_rows << " column=" << column;
  if (!page_index) s << " page_index=0";
  return s.str();
}

VectorDistribution::VectorDistribution(const DatagenSpec& spec) : spec_(spec) {
  const int d = spec.dim, k = spec.clusters, s = spec.subspace_dim;
  Normal g(spec.seed);
  centres_.resize(static_cast<size_t>(k) * d);
  for (auto& c : centres_) c = spec.centre_scale * g.Next();
  // Random directions with entries N(0, 1/dim) are nearly orthonormal.
  bases_.resize(static_cast<size_t>(k) * s * d);
  const float unit = 1.0f / std::sqrt(static_cast<float>(d));
  for (auto& b : bases_) b = unit * g.Next();
  // Clusters differ in spread, as real ones do.
  scales_.resize(k);
  for (auto& sc : scales_) sc = spec.subspace_scale * (0.5f + static_cast<float>(g.Bits() >> 11) * 0x1.0p-53f);
}

void VectorDistribution::Rows(int64_t first, int64_t n, float* out) const {
  const int d = spec_.dim, s = spec_.subspace_dim;
  std::vector<float> z(s);
  for (int64_t i = 0; i < n; ++i) {
    Normal g(spec_.seed * 0x2545f4914f6cdd1dull + static_cast<uint64_t>(first + i));
    const int k = static_cast<int>(g.Bits() % static_cast<uint64_t>(spec_.clusters));
    float* x = out + i * d;
    const float* c = centres_.data() + static_cast<size_t>(k) * d;
    for (int j = 0; j < d; ++j) x[j] = c[j] + spec_.noise * g.Next();
    for (int t = 0; t < s; ++t) z[t] = scales_[k] * g.Next();
    const float* basis = bases_.data() + static_cast<size_t>(k) * s * d;
    for (int t = 0; t < s; ++t) {
      const float* b = basis + static_cast<size_t>(t) * d;
      for (int j = 0; j < d; ++j) x[j] += z[t] * b[j];
    }
  }
}

arrow::Result<std::vector<std::string>> WriteDataset(const std::string& dir, const DatagenSpec& spec,
                                                     bool verbose) {
  std::vector<std::string> paths;
  for (int f = 0; f < spec.files; ++f) {
    char name[64];
    std::snprintf(name, sizeof name, "part-%05d.snappy.parquet", f);
    paths.push_back((fs::path(dir) / name).string());
  }
  const fs::path marker = fs::path(dir) / kMarker;
  {
    std::ifstream in(marker);
    std::string line;
    if (in && std::getline(in, line) && line == spec.Describe()) return paths;
  }
  fs::remove_all(dir);
  fs::create_directories(dir);
  const VectorDistribution dist(spec);
  arrow::Status first_error;
#pragma omp parallel for schedule(dynamic, 1)
  for (int f = 0; f < spec.files; ++f) {
    arrow::Status st = [&]() -> arrow::Status {
      const int64_t begin = spec.rows * f / spec.files, end = spec.rows * (f + 1) / spec.files;
      auto schema = arrow::schema({arrow::field("id", arrow::int64()),
                                   arrow::field(spec.column, arrow::list(arrow::field("element", arrow::float32())))});
      ARROW_ASSIGN_OR_RAISE(auto sink, arrow::io::FileOutputStream::Open(paths[f]));
      parquet::WriterProperties::Builder builder;
      builder.compression(parquet::Compression::SNAPPY)->max_row_group_length(spec.row_group_rows);
      if (spec.page_index) {
        builder.enable_write_page_index();
      } else {
        builder.disable_write_page_index();
      }
      auto props = builder.build();
      ARROW_ASSIGN_OR_RAISE(auto writer, parquet::arrow::FileWriter::Open(*schema, arrow::default_memory_pool(),
                                                                         sink, props));
      std::vector<float> chunk;
      for (int64_t at = begin; at < end; at += spec.row_group_rows) {
        const int64_t n = std::min(spec.row_group_rows, end - at);
        chunk.resize(static_cast<size_t>(n) * spec.dim);
        dist.Rows(at, n, chunk.data());
        arrow::Int64Builder ids;
        auto values = std::make_shared<arrow::FloatBuilder>();
        arrow::ListBuilder lists(arrow::default_memory_pool(), values, schema->field(1)->type());
        ARROW_RETURN_NOT_OK(ids.Reserve(n));
        ARROW_RETURN_NOT_OK(values->Reserve(n * spec.dim));
        for (int64_t i = 0; i < n; ++i) {
          ids.UnsafeAppend(at + i);
          ARROW_RETURN_NOT_OK(lists.Append());
          ARROW_RETURN_NOT_OK(values->AppendValues(chunk.data() + i * spec.dim, spec.dim));
        }
        std::shared_ptr<arrow::Array> id_array, list_array;
        ARROW_RETURN_NOT_OK(ids.Finish(&id_array));
        ARROW_RETURN_NOT_OK(lists.Finish(&list_array));
        auto table = arrow::Table::Make(schema, {id_array, list_array});
        ARROW_RETURN_NOT_OK(writer->WriteTable(*table, spec.row_group_rows));
      }
      ARROW_RETURN_NOT_OK(writer->Close());
      return sink->Close();
    }();
#pragma omp critical
    if (!st.ok() && first_error.ok()) first_error = st;
    if (verbose) {
#pragma omp critical
      std::fprintf(stderr, "  wrote %s\n", paths[f].c_str());
    }
  }
  ARROW_RETURN_NOT_OK(first_error);
  std::ofstream out(marker);
  out << spec.Describe() << "\n";
  if (!out) return arrow::Status::IOError("cannot write ", marker.string());
  return paths;
}

std::vector<float> HeldOutQueries(const DatagenSpec& spec, int64_t n) {
  std::vector<float> q(static_cast<size_t>(n) * spec.dim);
  VectorDistribution(spec).Rows(kQueryBase, n, q.data());
  return q;
}

}  // namespace quiver::bench
