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

MmapIndexReader::~MmapIndexReader() {
  if (base_ != nullptr) ::munmap(const_cast<uint8_t*>(base_), size_);
}

Result<std::unique_ptr<MmapIndexReader>> MmapIndexReader::OpenMapped(const std::string& index_dir,
                                                                     bool check_freshness,
                                                                     std::shared_ptr<Storage> storage) {
  std::unique_ptr<MmapIndexReader> r(new MmapIndexReader());
  r->dir_ = index_dir;
  r->storage_ = std::move(storage);
  const std::string manifest_path = (fs::path(index_dir) / format::kManifestName).string();
  std::error_code ec;
  if (!fs::is_directory(index_dir, ec)) return NotFound("index directory not found: '" + index_dir + "'");
  ARROW_ASSIGN_OR_RAISE(std::string text, ReadSmallFile(manifest_path));
  ARROW_ASSIGN_OR_RAISE(r->manifest_, Manifest::Parse(text, manifest_path));
  const Manifest& m = r->manifest_;
  if (m.format_version > static_cast<int32_t>(format::kFormatVersion) || m.format_version < 1) {
    return Unsupported("index at '" + index_dir + "' has format version " +
                       std::to_string(m.format_version) + "; this library reads version " +
                       std::to_string(format::kFormatVersion));
  }
  if (m.index_file.empty() || m.index_file.find('/') != std::string::npos) {
    return CorruptIndex(manifest_path + ": bad index file name");
  }
  r->path_ = (fs::path(index_dir) / m.index_file).string();

  int fd = ::open(r->path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return CorruptIndex("corrupt index: binary file '" + r->path_ + "' named by the manifest cannot be opened: " +
                        std::strerror(errno));
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return Status::IOError("cannot stat '", r->path_, "'");
  }
  if (static_cast<uint64_t>(st.st_size) != m.index_file_bytes) {
    ::close(fd);
    return CorruptIndex("corrupt index: '" + r->path_ + "' is " + std::to_string(st.st_size) +
                        " bytes, the manifest says " + std::to_string(m.index_file_bytes) +
                        " (truncated or overwritten)");
  }
  if (st.st_size < static_cast<off_t>(sizeof(format::FileHeader))) {
    ::close(fd);
    return CorruptIndex("corrupt index: '" + r->path_ + "' is too small");
  }
  void* p = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  if (p == MAP_FAILED) return ErrnoError("cannot map", r->path_);
  r->base_ = static_cast<const uint8_t*>(p);
  r->size_ = static_cast<size_t>(st.st_size);
  r->index_bytes_ = static_cast<int64_t>(text.size() + r->size_);

  ARROW_RETURN_NOT_OK(r->Validate());
  const format::FileHeader* h = reinterpret_cast<const format::FileHeader*>(r->base_);
  if (h->manifest_checksum != Checksum(text.data(), text.size())) {
    return CorruptIndex("corrupt index: manifest '" + manifest_path + "' does not match '" + r->path_ + "'");
  }
  if (check_freshness) {
    for (int32_t f = 0; f < static_cast<int32_t>(m.files.size()); ++f) {
      ARROW_RETURN_NOT_OK(r->CheckFileFresh(f));
    }
  }
  return r;
}

Status MmapIndexReader::Validate() {
  auto corrupt = [&](const std::string& what) {
    return CorruptIndex("corrupt index '" + path_ + "': " + what);
  };
  const auto* h = reinterpret_cast<const format::FileHeader*>(base_);
  if (std::memcmp(h->magic, format::kMagic, sizeof h->magic) != 0) return corrupt("bad magic");
  if (h->header_checksum != Checksum(h, offsetof(format::FileHeader, header_checksum))) {
    return corrupt("header checksum mismatch");
  }
  if (h->format_version != format::kFormatVersion) {
    return Unsupported("index file '" + path_ + "' has format version " + std::to_string(h->format_version) +
                       "; this library reads version " + std::to_string(format::kFormatVersion));
  }
  if (h->file_bytes != size_) return corrupt("file size differs from the header");
  if (h->build_id != manifest_.build_id) return corrupt("build id differs from the manifest");
  const uint64_t table_bytes = static_cast<uint64_t>(h->n_sections) * sizeof(format::SectionEntry);
  if (h->n_sections > 4096 || h->section_table_offset < sizeof(format::FileHeader) ||
      h->section_table_offset > size_ || table_bytes > size_ - h->section_table_offset) {
    return corrupt("section table out of bounds");
  }
  sections_.resize(h->n_sections);
  std::memcpy(sections_.data(), base_ + h->section_table_offset, table_bytes);
  if (h->section_table_checksum != Checksum(sections_.data(), table_bytes)) {
    return corrupt("section table checksum mismatch");
  }

  const IndexParams& p = manifest_.params;
  if (p.dim <= 0 || p.nlist <= 0 || p.pq_m <= 0 || p.dim % p.pq_m != 0 || p.pq_bits != 8 ||
      manifest_.rows_indexed < 0) {
    return CorruptIndex("corrupt index: manifest parameters are inconsistent");
  }
  const uint64_t dim = p.dim, nlist = p.nlist, m = p.pq_m, rows = manifest_.rows_indexed;
  struct Expect {
    format::SectionId id;
    uint64_t length;
    bool check_now;  // small sections are checksummed at open
    const format::SectionEntry* found = nullptr;
  } expect[] = {
      {format::kSectionMeta, sizeof(format::MetaSection), true},
      {format::kSectionCentroids, nlist * dim * sizeof(float), true},
      {format::kSectionPqCodebooks, m * 256 * (dim / m) * sizeof(float), true},
      {format::kSectionListDirectory, nlist * sizeof(format::ListEntry), true},
      {format::kSectionCodes, rows * m, false},
      {format::kSectionKeys, rows * sizeof(uint64_t), false},
  };
  for (const auto& s : sections_) {
    if (s.offset % format::kAlignment != 0 || s.offset > size_ || s.length > size_ - s.offset) {
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
    if (e.check_now && Checksum(base_ + e.found->offset, e.found->length) != e.found->checksum) {
      return corrupt("section " + std::to_string(e.id) + " checksum mismatch");
    }
  }
  auto at = [&](int i) { return base_ + expect[i].found->offset; };
  format::MetaSection meta;
  std::memcpy(&meta, at(0), sizeof meta);
  if (meta.dim != p.dim || meta.metric != MetricCode(p.metric) || meta.nlist != p.nlist || meta.pq_m != p.pq_m ||
      meta.pq_bits != p.pq_bits || meta.n_files != static_cast<int32_t>(manifest_.files.size()) ||
      meta.rows_indexed != manifest_.rows_indexed) {
    return corrupt("metadata section disagrees with the manifest");
  }
  centroids_ = reinterpret_cast<const float*>(at(1));
  codebooks_ = reinterpret_cast<const float*>(at(2));
  directory_ = reinterpret_cast<const format::ListEntry*>(at(3));
  codes_ = at(4);
  keys_ = reinterpret_cast<const uint64_t*>(at(5));
  uint64_t next = 0;
  for (uint64_t l = 0; l < nlist; ++l) {
    if (directory_[l].offset != next || directory_[l].count > rows - next) {
      return corrupt("list directory entry " + std::to_string(l) + " out of bounds");
    }
    next += directory_[l].count;
  }
  if (next != rows) return corrupt("list directory does not cover every row");
  list_state_ = std::make_unique<std::atomic<uint8_t>[]>(nlist);
  for (uint64_t l = 0; l < nlist; ++l) list_state_[l].store(kUnchecked, std::memory_order_relaxed);
  return Status::OK();
}

Result<PostingList> MmapIndexReader::list(int32_t list) const {
  if (list < 0 || list >= manifest_.params.nlist) {
    return Status::Invalid("list ", list, " out of range [0, ", manifest_.params.nlist, ")");
  }
  const format::ListEntry& e = directory_[list];
  PostingList out;
  out.size = static_cast<int64_t>(e.count);
  out.codes = codes_ + e.offset * manifest_.params.pq_m;
  out.keys = keys_ + e.offset;
  uint8_t state = list_state_[list].load(std::memory_order_acquire);
  if (state == kUnchecked) {
    bool ok = format::ListChecksum(out.codes, e.count * manifest_.params.pq_m, out.keys, e.count) == e.checksum;
    state = ok ? kIntact : kCorrupt;
    list_state_[list].store(state, std::memory_order_release);
  }
  if (state == kCorrupt) {
    return CorruptIndex("corrupt index '" + path_ + "': posting list " + std::to_string(list) +
                        " checksum mismatch");
  }
  return out;
}

Status MmapIndexReader::CheckFileFresh(int32_t file) const {
  if (file < 0 || file >= static_cast<int32_t>(manifest_.files.size())) {
    return Status::Invalid("file ", file, " out of range [0, ", manifest_.files.size(), ")");
  }
  return CheckFingerprint(storage(), manifest_.files[file]);
}

Status MmapIndexReader::VerifyAll() const {
  for (const auto& s : sections_) {
    if (Checksum(base_ + s.offset, s.length) != s.checksum) {
      return CorruptIndex("corrupt index '" + path_ + "': section " + std::to_string(s.id) +
                          " checksum mismatch");
    }
  }
  for (int32_t l = 0; l < manifest_.params.nlist; ++l) ARROW_RETURN_NOT_OK(list(l).status());
  const uint32_t n_files = static_cast<uint32_t>(manifest_.files.size());
  for (int64_t i = 0; i < manifest_.rows_indexed; ++i) {
    const uint64_t key = keys_[i];
    if (QV_ROW_KEY_FILE(key) >= n_files ||
        QV_ROW_KEY_ROW(key) >= static_cast<uint64_t>(manifest_.files[QV_ROW_KEY_FILE(key)].rows)) {
      return CorruptIndex("corrupt index '" + path_ + "': row key " + std::to_string(key) + " out of range");
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
