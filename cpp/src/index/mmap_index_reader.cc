#include "index/mmap_index_reader.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/file_io.h"
#include "common/checksum.h"
#include "parquet/fingerprint.h"

namespace quiver {
namespace fs = std::filesystem;
namespace {

constexpr uint8_t kUnchecked = 0, kIntact = 1, kCorrupt = 2;

Result<std::string> ReadSmallFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code ec;
    if (!fs::exists(path, ec)) return NotFound("no index at '" + fs::path(path).parent_path().string() + "': " + fs::path(path).filename().string() + " is missing");
    return Status::IOError("cannot read '", path, "'");
  }
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad()) return Status::IOError("cannot read '", path, "'");
  return s.str();
}

}  // namespace

struct MmapIndexReader::Mapped {
  std::string path;
  const uint8_t* base = nullptr;
  size_t size = 0;
  // What the manifest says this file must be.
  uint64_t build_id = 0;
  int32_t first_file = 0;
  int32_t n_files = 0;
  int64_t rows = -1;  // -1: the base file of a version 2 manifest, which does not say
  std::vector<format::SectionEntry> sections;
  const float* centroids = nullptr;  // base file only
  const float* codebooks = nullptr;
  const format::ListEntry* directory = nullptr;
  const uint8_t* codes = nullptr;
  const uint64_t* keys = nullptr;
  // Per list: 0 not yet checked, 1 intact, 2 corrupt.
  std::unique_ptr<std::atomic<uint8_t>[]> list_state;

  ~Mapped() {
    if (base != nullptr) ::munmap(const_cast<uint8_t*>(base), size);
  }
};

MmapIndexReader::~MmapIndexReader() = default;

Result<std::unique_ptr<MmapIndexReader>> MmapIndexReader::OpenMapped(const std::string& index_dir,
                                                                     bool check_freshness,
                                                                     std::shared_ptr<Storage> storage) {
  const std::string manifest_path = (fs::path(index_dir) / format::kManifestName).string();
  std::error_code ec;
  if (!fs::is_directory(index_dir, ec)) return NotFound("index directory not found: '" + index_dir + "'");
  std::unique_ptr<MmapIndexReader> r;
  // A writer that replaced the manifest after it was read may have removed
  // the files it named: read the new one. A manifest that stays the same
  // while its files are missing is a broken index.
  for (int attempt = 0;; ++attempt) {
    ARROW_ASSIGN_OR_RAISE(std::string text, ReadSmallFile(manifest_path));
    r.reset(new MmapIndexReader());
    r->dir_ = index_dir;
    r->storage_ = storage;
    Status st = r->Load(text, manifest_path);
    if (st.ok()) break;
    auto again = ReadSmallFile(manifest_path);
    if (attempt >= 8 || !again.ok() || *again == text) return st;
  }
  const Manifest& m = r->manifest_;
  if (check_freshness) {
    for (int32_t f = 0; f < static_cast<int32_t>(m.files.size()); ++f) {
      ARROW_RETURN_NOT_OK(r->CheckFileFresh(f));
    }
  }
  return r;
}

Status MmapIndexReader::Verify(const std::string& index_dir, const Manifest& m) {
  std::unique_ptr<MmapIndexReader> r(new MmapIndexReader());
  r->dir_ = index_dir;
  ARROW_RETURN_NOT_OK(r->Load(m.ToJson(), (fs::path(index_dir) / "(uncommitted manifest)").string()));
  return r->VerifyAll();
}

Status MmapIndexReader::Load(const std::string& text, const std::string& manifest_path) {
  const std::string& index_dir = dir_;
  ARROW_ASSIGN_OR_RAISE(manifest_, Manifest::Parse(text, manifest_path));
  const Manifest& m = manifest_;
  if (m.format_version > format::kManifestVersionSegments || m.format_version < 1) {
    return Unsupported("index at '" + index_dir + "' has format version " +
                       std::to_string(m.format_version) + "; this library reads versions 1 to " +
                       std::to_string(format::kManifestVersionSegments));
  }
  auto bad_name = [](const std::string& name) { return name.empty() || name.find('/') != std::string::npos; };
  if (bad_name(m.index_file)) return CorruptIndex(manifest_path + ": bad index file name");
  // Segments cover the files after the base file's, in order, each once.
  int32_t next_file = m.base_files();
  for (const SegmentRef& g : m.segments) {
    if (bad_name(g.file) || g.first_file != next_file || g.n_files < 0 || g.rows_indexed < 0) {
      return CorruptIndex(manifest_path + ": segment '" + g.file + "' does not follow the files before it");
    }
    next_file += g.n_files;
  }
  if (next_file != static_cast<int32_t>(m.files.size())) {
    return CorruptIndex(manifest_path + ": the segments do not cover the files");
  }
  for (size_t i = 0; i < m.removed_files.size(); ++i) {
    const int32_t f = m.removed_files[i];
    if (f < 0 || f >= static_cast<int32_t>(m.files.size()) || (i > 0 && m.removed_files[i - 1] >= f)) {
      return CorruptIndex(manifest_path + ": bad removed file ordinal " + std::to_string(f));
    }
  }

  auto map = [&](const std::string& name, uint64_t bytes) -> Result<std::unique_ptr<Mapped>> {
    auto f = std::make_unique<Mapped>();
    f->path = (fs::path(index_dir) / name).string();
    int fd = ::open(f->path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      return CorruptIndex("corrupt index: binary file '" + f->path + "' named by the manifest cannot be opened: " +
                          std::strerror(errno));
    }
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      ::close(fd);
      return Status::IOError("cannot stat '", f->path, "'");
    }
    if (static_cast<uint64_t>(st.st_size) != bytes) {
      ::close(fd);
      return CorruptIndex("corrupt index: '" + f->path + "' is " + std::to_string(st.st_size) +
                          " bytes, the manifest says " + std::to_string(bytes) + " (truncated or overwritten)");
    }
    if (st.st_size < static_cast<off_t>(sizeof(format::FileHeader))) {
      ::close(fd);
      return CorruptIndex("corrupt index: '" + f->path + "' is too small");
    }
    void* p = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_SHARED, fd, 0);
    ::close(fd);
    if (p == MAP_FAILED) return ErrnoError("cannot map", f->path);
    f->base = static_cast<const uint8_t*>(p);
    f->size = static_cast<size_t>(st.st_size);
    return f;
  };

  index_bytes_ = static_cast<int64_t>(text.size());
  ARROW_ASSIGN_OR_RAISE(std::unique_ptr<Mapped> base, map(m.index_file, m.index_file_bytes));
  base->build_id = m.build_id;
  base->n_files = m.base_files();
  base->rows = m.format_version == format::kManifestVersion ? m.rows_indexed : -1;
  ARROW_RETURN_NOT_OK(Validate(base.get(), /*base=*/true));
  if (m.format_version == format::kManifestVersion) {
    const auto* h = reinterpret_cast<const format::FileHeader*>(base->base);
    if (h->manifest_checksum != Checksum(text.data(), text.size())) {
      return CorruptIndex("corrupt index: manifest '" + manifest_path + "' does not match '" + base->path + "'");
    }
  }
  centroids_ = base->centroids;
  codebooks_ = base->codebooks;
  index_bytes_ += static_cast<int64_t>(base->size);
  files_.push_back(std::move(base));
  for (const SegmentRef& g : m.segments) {
    ARROW_ASSIGN_OR_RAISE(std::unique_ptr<Mapped> seg, map(g.file, g.bytes));
    seg->build_id = g.build_id;
    seg->first_file = g.first_file;
    seg->n_files = g.n_files;
    seg->rows = g.rows_indexed;
    ARROW_RETURN_NOT_OK(Validate(seg.get(), /*base=*/false));
    index_bytes_ += static_cast<int64_t>(seg->size);
    files_.push_back(std::move(seg));
  }
  return Status::OK();
}

Status MmapIndexReader::Validate(Mapped* f, bool base) {
  auto corrupt = [&](const std::string& what) {
    return CorruptIndex("corrupt index '" + f->path + "': " + what);
  };
  const auto* h = reinterpret_cast<const format::FileHeader*>(f->base);
  const size_t size = f->size;
  if (std::memcmp(h->magic, format::kMagic, sizeof h->magic) != 0) return corrupt("bad magic");
  if (h->header_checksum != Checksum(h, offsetof(format::FileHeader, header_checksum))) {
    return corrupt("header checksum mismatch");
  }
  if (h->format_version != format::kFormatVersion) {
    return Unsupported("index file '" + f->path + "' has format version " + std::to_string(h->format_version) +
                       "; this library reads version " + std::to_string(format::kFormatVersion));
  }
  if (h->file_bytes != size) return corrupt("file size differs from the header");
  if (h->build_id != f->build_id) return corrupt("build id differs from the manifest");
  const uint64_t table_bytes = static_cast<uint64_t>(h->n_sections) * sizeof(format::SectionEntry);
  if (h->n_sections > 4096 || h->section_table_offset < sizeof(format::FileHeader) ||
      h->section_table_offset > size || table_bytes > size - h->section_table_offset) {
    return corrupt("section table out of bounds");
  }
  f->sections.resize(h->n_sections);
  std::memcpy(f->sections.data(), f->base + h->section_table_offset, table_bytes);
  if (h->section_table_checksum != Checksum(f->sections.data(), table_bytes)) {
    return corrupt("section table checksum mismatch");
  }

  const IndexParams& p = manifest_.params;
  if (p.dim <= 0 || p.nlist <= 0 || p.pq_m <= 0 || p.dim % p.pq_m != 0 || p.pq_bits != 8 ||
      manifest_.rows_indexed < 0) {
    return CorruptIndex("corrupt index: manifest parameters are inconsistent");
  }
  // The metadata comes first: a base file of a version 2 manifest says its
  // own row count, which sizes its code and key sections.
  const format::SectionEntry* meta_entry = nullptr;
  for (const auto& s : f->sections) {
    if (s.id == format::kSectionMeta) meta_entry = &s;
  }
  if (meta_entry == nullptr) return corrupt("section " + std::to_string(format::kSectionMeta) + " is missing");
  if (meta_entry->length != sizeof(format::MetaSection) || meta_entry->offset > size ||
      meta_entry->length > size - meta_entry->offset) {
    return corrupt("metadata section out of bounds");
  }
  format::MetaSection meta;
  std::memcpy(&meta, f->base + meta_entry->offset, sizeof meta);
  if (f->rows < 0) f->rows = meta.rows_indexed;
  if (meta.dim != p.dim || meta.metric != MetricCode(p.metric) || meta.nlist != p.nlist || meta.pq_m != p.pq_m ||
      meta.pq_bits != p.pq_bits || meta.n_files != f->n_files || meta.rows_indexed != f->rows || f->rows < 0 ||
      meta.first_file != f->first_file || meta.quantizer_id != (base ? 0 : manifest_.build_id)) {
    return corrupt("metadata section disagrees with the manifest");
  }

  const uint64_t dim = p.dim, nlist = p.nlist, m = p.pq_m, rows = static_cast<uint64_t>(f->rows);
  struct Expect {
    format::SectionId id;
    uint64_t length;
    bool check_now;  // small sections are checksummed at open
    const format::SectionEntry* found = nullptr;
  };
  std::vector<Expect> expect = {{format::kSectionMeta, sizeof(format::MetaSection), true}};
  if (base) {
    expect.push_back({format::kSectionCentroids, nlist * dim * sizeof(float), true});
    expect.push_back({format::kSectionPqCodebooks, m * 256 * (dim / m) * sizeof(float), true});
  }
  expect.push_back({format::kSectionListDirectory, nlist * sizeof(format::ListEntry), true});
  expect.push_back({format::kSectionCodes, rows * m, false});
  expect.push_back({format::kSectionKeys, rows * sizeof(uint64_t), false});
  for (const auto& s : f->sections) {
    if (s.offset % format::kAlignment != 0 || s.offset > size || s.length > size - s.offset) {
      return corrupt("section " + std::to_string(s.id) + " out of bounds");
    }
    for (auto& e : expect) {
      if (e.id != s.id) continue;
      if (e.found != nullptr) return corrupt("section " + std::to_string(s.id) + " appears twice");
      e.found = &s;
    }
  }
  for (auto& e : expect) {
    if (e.found == nullptr) return corrupt("section " + std::to_string(e.id) + " is missing");
    if (e.found->length != e.length) {
      return corrupt("section " + std::to_string(e.id) + " has " + std::to_string(e.found->length) +
                     " bytes, expected " + std::to_string(e.length));
    }
    if (e.check_now && Checksum(f->base + e.found->offset, e.found->length) != e.found->checksum) {
      return corrupt("section " + std::to_string(e.id) + " checksum mismatch");
    }
  }
  auto at = [&](format::SectionId id) {
    for (const auto& e : expect) {
      if (e.id == id) return f->base + e.found->offset;
    }
    return f->base;  // unreachable: every id asked for is expected above
  };
  if (base) {
    f->centroids = reinterpret_cast<const float*>(at(format::kSectionCentroids));
    f->codebooks = reinterpret_cast<const float*>(at(format::kSectionPqCodebooks));
  }
  f->directory = reinterpret_cast<const format::ListEntry*>(at(format::kSectionListDirectory));
  f->codes = at(format::kSectionCodes);
  f->keys = reinterpret_cast<const uint64_t*>(at(format::kSectionKeys));
  uint64_t next = 0;
  for (uint64_t l = 0; l < nlist; ++l) {
    if (f->directory[l].offset != next || f->directory[l].count > rows - next) {
      return corrupt("list directory entry " + std::to_string(l) + " out of bounds");
    }
    next += f->directory[l].count;
  }
  if (next != rows) return corrupt("list directory does not cover every row");
  f->list_state = std::make_unique<std::atomic<uint8_t>[]>(nlist);
  for (uint64_t l = 0; l < nlist; ++l) f->list_state[l].store(kUnchecked, std::memory_order_relaxed);
  return Status::OK();
}

MmapIndexReader::SegmentInfo MmapIndexReader::segment_info(int32_t segment) const {
  const Mapped& f = *files_[segment];
  double squares = 0;
  for (int32_t l = 0; l < manifest_.params.nlist; ++l) {
    const double n = static_cast<double>(f.directory[l].count);
    squares += n * n;
  }
  const double rows = static_cast<double>(f.rows);
  const double imbalance = f.rows > 0 ? manifest_.params.nlist * squares / (rows * rows) : 0;
  const EncodingError error = segment == 0 ? manifest_.base_error : manifest_.segments[segment - 1].error;
  return {f.first_file, f.n_files, f.rows, static_cast<int64_t>(f.size), error, imbalance};
}

Result<PostingList> MmapIndexReader::list(int32_t segment, int32_t list) const {
  if (segment < 0 || segment >= segments()) {
    return Status::Invalid("segment ", segment, " out of range [0, ", segments(), ")");
  }
  if (list < 0 || list >= manifest_.params.nlist) {
    return Status::Invalid("list ", list, " out of range [0, ", manifest_.params.nlist, ")");
  }
  const Mapped& f = *files_[segment];
  const format::ListEntry& e = f.directory[list];
  PostingList out;
  out.size = static_cast<int64_t>(e.count);
  out.codes = f.codes + e.offset * manifest_.params.pq_m;
  out.keys = f.keys + e.offset;
  uint8_t state = f.list_state[list].load(std::memory_order_acquire);
  if (state == kUnchecked) {
    bool ok = format::ListChecksum(out.codes, e.count * manifest_.params.pq_m, out.keys, e.count) == e.checksum;
    state = ok ? kIntact : kCorrupt;
    f.list_state[list].store(state, std::memory_order_release);
  }
  if (state == kCorrupt) {
    return CorruptIndex("corrupt index '" + f.path + "': posting list " + std::to_string(list) +
                        " checksum mismatch");
  }
  return out;
}

Status MmapIndexReader::CheckFileFresh(int32_t file) const {
  if (file < 0 || file >= static_cast<int32_t>(manifest_.files.size())) {
    return Status::Invalid("file ", file, " out of range [0, ", manifest_.files.size(), ")");
  }
  // The index no longer answers from a removed file: it may be gone.
  if (manifest_.removed(file)) return Status::OK();
  return CheckFingerprint(storage(), manifest_.files[file]);
}

Status MmapIndexReader::VerifyAll() const {
  for (int32_t g = 0; g < segments(); ++g) {
    const Mapped& f = *files_[g];
    for (const auto& s : f.sections) {
      if (Checksum(f.base + s.offset, s.length) != s.checksum) {
        return CorruptIndex("corrupt index '" + f.path + "': section " + std::to_string(s.id) +
                            " checksum mismatch");
      }
    }
    for (int32_t l = 0; l < manifest_.params.nlist; ++l) ARROW_RETURN_NOT_OK(list(g, l).status());
    // Each file's keys name only its own files.
    for (int64_t i = 0; i < f.rows; ++i) {
      const uint64_t key = f.keys[i];
      const int64_t file = QV_ROW_KEY_FILE(key);
      if (file < f.first_file || file >= int64_t{f.first_file} + f.n_files ||
          QV_ROW_KEY_ROW(key) >= static_cast<uint64_t>(manifest_.files[file].rows)) {
        return CorruptIndex("corrupt index '" + f.path + "': row key " + std::to_string(key) + " out of range");
      }
    }
  }
  return Status::OK();
}

Status VerifyIndexDirectory(const std::string& index_dir) {
  ARROW_ASSIGN_OR_RAISE(auto reader, MmapIndexReader::OpenMapped(index_dir, /*check_freshness=*/false));
  ARROW_RETURN_NOT_OK(reader->VerifyAll());
  for (int32_t f = 0; f < static_cast<int32_t>(reader->files().size()); ++f) {
    ARROW_RETURN_NOT_OK(reader->CheckFileFresh(f));
  }
  return Status::OK();
}

}  // namespace quiver
