#include "index/manifest.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cinttypes>
#include <cstdio>

#include "common/checksum.h"
#include "common/metric.h"
#include "index/format.h"

namespace quiver {
namespace {

using nlohmann::json;

// 64-bit identifiers are written as hex strings: JSON readers that hold
// numbers as doubles would round them.
std::string Hex64(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, v);
  return buf;
}

uint64_t ParseHex64(const json& j) {
  const std::string s = j.get<std::string>();
  if (s.empty() || s.size() > 16) throw std::invalid_argument("bad hex value '" + s + "'");
  size_t used = 0;
  uint64_t v = std::stoull(s, &used, 16);
  if (used != s.size()) throw std::invalid_argument("bad hex value '" + s + "'");
  return v;
}

constexpr const char* kChecksumField = "manifest_checksum";

json FileJson(const SourceFile& f) {
  return {{"path", f.path},
          {"rows", f.rows},
          {"rows_indexed", f.rows_indexed},
          {"size_bytes", f.size_bytes},
          {"mtime_ns", f.mtime_ns},
          {"footer_hash", Hex64(f.footer_hash)}};
}

SourceFile FileOf(const json& e) {
  SourceFile s;
  s.path = e.at("path").get<std::string>();
  s.rows = e.at("rows").get<int64_t>();
  s.rows_indexed = e.at("rows_indexed").get<int64_t>();
  s.size_bytes = e.at("size_bytes").get<int64_t>();
  s.mtime_ns = e.at("mtime_ns").get<int64_t>();
  s.footer_hash = ParseHex64(e.at("footer_hash"));
  return s;
}

}  // namespace

bool Manifest::removed(int32_t file) const {
  return std::binary_search(removed_files.begin(), removed_files.end(), file);
}

int32_t Manifest::live_file(const std::string& path) const {
  for (int32_t i = 0; i < static_cast<int32_t>(files.size()); ++i) {
    if (files[i].path == path && !removed(i)) return i;
  }
  return -1;
}

void Manifest::Add(const SegmentFiles& s) {
  for (const SourceFile& f : s.files) {
    rows_total += f.rows;
    rows_indexed += f.rows_indexed;
    files.push_back(f);
  }
  skipped.null_vector += s.skipped.null_vector;
  skipped.wrong_length += s.skipped.wrong_length;
  skipped.non_finite += s.skipped.non_finite;
}

std::string Manifest::ToJson() const {
  json j;
  j["format"] = "quiver-index";
  j["format_version"] = format_version;
  j["index_file"] = {{"name", index_file},
                     {"bytes", index_file_bytes},
                     {"build_id", Hex64(build_id)},
                     {"mean_coarse_error", base_error.coarse},
                     {"mean_pq_error", base_error.pq}};
  j["params"] = {{"vector_column", params.vector_column},
                 {"metric", MetricName(params.metric)},
                 {"dim", params.dim},
                 {"nlist", params.nlist},
                 {"pq_m", params.pq_m},
                 {"pq_bits", params.pq_bits},
                 {"train_sample", params.train_sample},
                 {"seed", Hex64(params.seed)},
                 {"threads", params.threads}};
  if (!params.source.empty()) {
    j["source"] = params.source;
  }
  j["rows"] = {{"total", rows_total},
               {"indexed", rows_indexed},
               {"skipped_null", skipped.null_vector},
               {"skipped_wrong_length", skipped.wrong_length},
               {"skipped_non_finite", skipped.non_finite}};
  json fs = json::array();
  for (const auto& f : files) fs.push_back(FileJson(f));
  j["files"] = std::move(fs);
  if (format_version >= format::kManifestVersionSegments) {
    json segs = json::array();
    for (const auto& g : segments) {
      segs.push_back({{"name", g.file},
                      {"bytes", g.bytes},
                      {"build_id", Hex64(g.build_id)},
                      {"first_file", g.first_file},
                      {"n_files", g.n_files},
                      {"rows_indexed", g.rows_indexed},
                      {"mean_coarse_error", g.error.coarse},
                      {"mean_pq_error", g.error.pq}});
    }
    j["segments"] = std::move(segs);
    j["removed_files"] = removed_files;
    const std::string body = j.dump(2);
    j[kChecksumField] = Hex64(Checksum(body.data(), body.size()));
  }
  return j.dump(2) + "\n";
}

Result<Manifest> Manifest::Parse(const std::string& text, const std::string& origin) {
  try {
    json j = json::parse(text);
    if (j.at("format").get<std::string>() != "quiver-index") {
      return CorruptIndex(origin + ": not a Quiver index manifest");
    }
    Manifest m;
    m.format_version = j.at("format_version").get<int32_t>();
    const json& f = j.at("index_file");
    m.index_file = f.at("name").get<std::string>();
    m.index_file_bytes = f.at("bytes").get<uint64_t>();
    m.build_id = ParseHex64(f.at("build_id"));
    // Absent from manifests written before it was recorded.
    if (f.contains("mean_pq_error")) {
      m.base_error.coarse = f.at("mean_coarse_error").get<double>();
      m.base_error.pq = f.at("mean_pq_error").get<double>();
    }
    const json& p = j.at("params");
    m.params.vector_column = p.at("vector_column").get<std::string>();
    ARROW_ASSIGN_OR_RAISE(m.params.metric, MetricFromName(p.at("metric").get<std::string>()));
    m.params.dim = p.at("dim").get<int32_t>();
    m.params.nlist = p.at("nlist").get<int32_t>();
    m.params.pq_m = p.at("pq_m").get<int32_t>();
    m.params.pq_bits = p.at("pq_bits").get<int32_t>();
    m.params.train_sample = p.at("train_sample").get<int64_t>();
    m.params.seed = ParseHex64(p.at("seed"));
    m.params.threads = p.at("threads").get<int32_t>();
    // Absent in manifests of plain files and of indexes built before it existed.
    if (j.contains("source")) {
      m.params.source = j.at("source").get<std::string>();
    }
    const json& r = j.at("rows");
    m.rows_total = r.at("total").get<int64_t>();
    m.rows_indexed = r.at("indexed").get<int64_t>();
    m.skipped.null_vector = r.at("skipped_null").get<int64_t>();
    m.skipped.wrong_length = r.at("skipped_wrong_length").get<int64_t>();
    m.skipped.non_finite = r.at("skipped_non_finite").get<int64_t>();
    for (const json& e : j.at("files")) m.files.push_back(FileOf(e));
    if (m.format_version >= format::kManifestVersionSegments) {
      for (const json& e : j.at("segments")) {
        SegmentRef g;
        g.file = e.at("name").get<std::string>();
        g.bytes = e.at("bytes").get<uint64_t>();
        g.build_id = ParseHex64(e.at("build_id"));
        g.first_file = e.at("first_file").get<int32_t>();
        g.n_files = e.at("n_files").get<int32_t>();
        g.rows_indexed = e.at("rows_indexed").get<int64_t>();
        g.error.coarse = e.at("mean_coarse_error").get<double>();
        g.error.pq = e.at("mean_pq_error").get<double>();
        m.segments.push_back(std::move(g));
      }
      m.removed_files = j.at("removed_files").get<std::vector<int32_t>>();
      // Written back, a manifest is its own text again: anything else means
      // the text was changed after it was written.
      const uint64_t stored = ParseHex64(j.at(kChecksumField));
      json body = j;
      body.erase(kChecksumField);
      const std::string b = body.dump(2);
      if (stored != Checksum(b.data(), b.size()) || m.ToJson() != text) {
        return CorruptIndex(origin + ": manifest checksum mismatch (changed after it was written)");
      }
    }
    return m;
  } catch (const std::exception& e) {
    return CorruptIndex(origin + ": unreadable manifest: " + e.what());
  }
}

std::string SegmentFiles::ToJson() const {
  json j;
  j["format"] = "quiver-segment-files";
  json fs = json::array();
  for (const auto& f : files) fs.push_back(FileJson(f));
  j["files"] = std::move(fs);
  j["skipped_null"] = skipped.null_vector;
  j["skipped_wrong_length"] = skipped.wrong_length;
  j["skipped_non_finite"] = skipped.non_finite;
  j["mean_coarse_error"] = error.coarse;
  j["mean_pq_error"] = error.pq;
  return j.dump();
}

Result<SegmentFiles> SegmentFiles::Parse(const std::string& text, const std::string& origin) {
  try {
    json j = json::parse(text);
    if (j.at("format").get<std::string>() != "quiver-segment-files") {
      return CorruptIndex(origin + ": not a description of a segment's files");
    }
    SegmentFiles s;
    for (const json& e : j.at("files")) s.files.push_back(FileOf(e));
    s.skipped.null_vector = j.at("skipped_null").get<int64_t>();
    s.skipped.wrong_length = j.at("skipped_wrong_length").get<int64_t>();
    s.skipped.non_finite = j.at("skipped_non_finite").get<int64_t>();
    s.error.coarse = j.at("mean_coarse_error").get<double>();
    s.error.pq = j.at("mean_pq_error").get<double>();
    return s;
  } catch (const std::exception& e) {
    return CorruptIndex(origin + ": unreadable description of the segment's files: " + e.what());
  }
}

}  // namespace quiver
