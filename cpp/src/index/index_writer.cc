#include "index/index_writer.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <random>
#include <set>

#include "common/file_io.h"
#include "common/checksum.h"
#include "index/format.h"

namespace quiver {
namespace fs = std::filesystem;
namespace {


// A file descriptor that closes itself, and unlinks the file unless kept.
class TempFile {
 public:
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!path_.empty() && !keep_) ::unlink(path_.c_str());
  }
  Status Create(const std::string& path) {
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd_ < 0) return ErrnoError("cannot create", path);
    path_ = path;
    return Status::OK();
  }
  Status WriteAt(const void* data, size_t n, uint64_t offset) {
    return WriteFullyAt(fd_, data, n, static_cast<int64_t>(offset), "cannot write", path_);
  }
  Status SyncAndClose() {
    if (::fsync(fd_) != 0) return ErrnoError("cannot sync", path_);
    int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) return ErrnoError("cannot close", path_);
    return Status::OK();
  }
  // After a successful rename the temporary name no longer exists; the new
  // name is owned by whoever renamed it.
  Status RenameTo(const std::string& target) {
    if (::rename(path_.c_str(), target.c_str()) != 0) return ErrnoError("cannot rename to", target);
    keep_ = true;
    return Status::OK();
  }

 private:
  int fd_ = -1;
  std::string path_;
  bool keep_ = false;
};

// Sequential writes into one section, buffered, with the section checksum
// computed on the way.
class SectionStream {
 public:
  SectionStream(TempFile* file, uint64_t offset) : file_(file), offset_(offset) {
    buffer_.reserve(kBufferBytes);
  }
  Status Append(const void* data, size_t n) {
    checksum_.Update(data, n);
    const char* p = static_cast<const char*>(data);
    while (n > 0) {
      size_t take = std::min(n, kBufferBytes - buffer_.size());
      buffer_.insert(buffer_.end(), p, p + take);
      p += take;
      n -= take;
      if (buffer_.size() == kBufferBytes) ARROW_RETURN_NOT_OK(Flush());
    }
    return Status::OK();
  }
  Status Flush() {
    ARROW_RETURN_NOT_OK(file_->WriteAt(buffer_.data(), buffer_.size(), offset_));
    offset_ += buffer_.size();
    buffer_.clear();
    return Status::OK();
  }
  uint64_t checksum() const { return checksum_.Digest(); }

 private:
  static constexpr size_t kBufferBytes = 4 << 20;
  TempFile* file_;
  uint64_t offset_;
  std::vector<char> buffer_;
  StreamingChecksum checksum_;
};

Status SyncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoError("cannot open directory", dir);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return ErrnoError("cannot sync directory", dir);
  return Status::OK();
}

// Removes what earlier writes (or an interrupted one) left: binary files the
// manifest `m` does not name, and temporary files. Best effort: the new
// manifest is committed. Runs under the lock, so no other writer of this
// directory has files in flight.
void RemoveLeftovers(const std::string& dir, const Manifest& m) {
  std::set<std::string> keep = {m.index_file};
  for (const auto& g : m.segments) keep.insert(g.file);
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    bool binary = (name.rfind(format::kIndexFilePrefix, 0) == 0 || name.rfind(format::kSegmentFilePrefix, 0) == 0) &&
                  (name.ends_with(format::kIndexFileSuffix) || name.ends_with(format::kSegmentFileSuffix) ||
                   name.ends_with(".tmp"));
    bool manifest_tmp = name.rfind(std::string(format::kManifestName) + ".", 0) == 0 &&
                        name.ends_with(".tmp");
    if ((binary || manifest_tmp) && keep.count(name) == 0) fs::remove(e.path(), ec);
  }
}

// Where each section of a binary file goes: header, section table, then each
// section 64-byte aligned. A segment file has no quantizer sections.
struct Layout {
  struct Planned {
    format::SectionId id;
    uint64_t length;
    uint64_t offset = 0;
    uint64_t checksum = 0;
  };
  std::vector<Planned> plan;
  uint64_t file_bytes = 0;

  Layout(const IndexParams& p, uint64_t rows, bool with_quantizers, uint64_t described_bytes = 0) {
    const uint64_t dim = p.dim, nlist = p.nlist, m_sub = p.pq_m;
    plan.push_back({format::kSectionMeta, sizeof(format::MetaSection)});
    if (with_quantizers) {
      plan.push_back({format::kSectionCentroids, nlist * dim * sizeof(float)});
      plan.push_back({format::kSectionPqCodebooks, m_sub * 256 * (dim / m_sub) * sizeof(float)});
    }
    plan.push_back({format::kSectionListDirectory, nlist * sizeof(format::ListEntry)});
    plan.push_back({format::kSectionCodes, rows * m_sub});
    plan.push_back({format::kSectionKeys, rows * sizeof(uint64_t)});
    if (described_bytes > 0) plan.push_back({format::kSectionSegmentFiles, described_bytes});
    uint64_t pos = format::AlignUp(sizeof(format::FileHeader) + plan.size() * sizeof(format::SectionEntry));
    for (auto& s : plan) {
      s.offset = pos;
      pos = format::AlignUp(pos + s.length);
    }
    file_bytes = pos;
  }
  Planned& section(format::SectionId id) {
    for (auto& s : plan) {
      if (s.id == id) return s;
    }
    return plan.front();  // unreachable: callers ask for planned sections only
  }
};

struct BinaryContents {
  const IndexParams* params;
  format::MetaSection meta;
  const float* centroids = nullptr;  // null for a segment
  const float* codebooks = nullptr;
  const std::vector<int64_t>* list_sizes;
  const FillList* fill_list;
  uint64_t build_id;
  uint64_t manifest_checksum;
  const std::string* described = nullptr;  // a segment's SegmentFiles JSON
};

// Writes one binary file laid out as `layout` to `path` + ".tmp", syncs it and
// renames it to `path`. On failure nothing is left behind.
Status WriteBinary(const std::string& path, Layout layout, const BinaryContents& c,
                   const WriteProgress& progress) {
  const IndexParams& p = *c.params;
  const uint64_t nlist = p.nlist, m_sub = p.pq_m;
  TempFile bin;
  ARROW_RETURN_NOT_OK(bin.Create(path + ".tmp"));

  int64_t written = 0;
  auto advance = [&](uint64_t bytes) -> Status {
    written += static_cast<int64_t>(bytes);
    return progress ? progress(written, static_cast<int64_t>(layout.file_bytes)) : Status::OK();
  };
  auto write_small = [&](format::SectionId id, const void* data) -> Status {
    Layout::Planned& s = layout.section(id);
    s.checksum = Checksum(data, s.length);
    ARROW_RETURN_NOT_OK(bin.WriteAt(data, s.length, s.offset));
    return advance(s.length);
  };
  ARROW_RETURN_NOT_OK(write_small(format::kSectionMeta, &c.meta));
  if (c.centroids != nullptr) {
    ARROW_RETURN_NOT_OK(write_small(format::kSectionCentroids, c.centroids));
    ARROW_RETURN_NOT_OK(write_small(format::kSectionPqCodebooks, c.codebooks));
  }
  if (c.described != nullptr) ARROW_RETURN_NOT_OK(write_small(format::kSectionSegmentFiles, c.described->data()));

  // Posting lists, in list order, into the codes and keys sections.
  std::vector<format::ListEntry> directory(nlist);
  {
    SectionStream codes(&bin, layout.section(format::kSectionCodes).offset);
    SectionStream keys(&bin, layout.section(format::kSectionKeys).offset);
    std::vector<uint8_t> list_codes;
    std::vector<uint64_t> list_keys;
    uint64_t offset = 0;
    for (uint64_t l = 0; l < nlist; ++l) {
      const uint64_t n = static_cast<uint64_t>((*c.list_sizes)[l]);
      list_codes.assign(n * m_sub, 0);
      list_keys.assign(n, 0);
      if (n > 0) ARROW_RETURN_NOT_OK((*c.fill_list)(static_cast<int32_t>(l), list_codes.data(), list_keys.data()));
      directory[l] = {offset, n, format::ListChecksum(list_codes.data(), list_codes.size(), list_keys.data(), n), 0};
      ARROW_RETURN_NOT_OK(codes.Append(list_codes.data(), list_codes.size()));
      ARROW_RETURN_NOT_OK(keys.Append(list_keys.data(), n * sizeof(uint64_t)));
      offset += n;
      ARROW_RETURN_NOT_OK(advance(n * (m_sub + sizeof(uint64_t))));
    }
    ARROW_RETURN_NOT_OK(codes.Flush());
    ARROW_RETURN_NOT_OK(keys.Flush());
    layout.section(format::kSectionCodes).checksum = codes.checksum();
    layout.section(format::kSectionKeys).checksum = keys.checksum();
  }
  ARROW_RETURN_NOT_OK(write_small(format::kSectionListDirectory, directory.data()));

  std::vector<format::SectionEntry> table;
  for (const auto& s : layout.plan) table.push_back({s.id, 0, s.offset, s.length, s.checksum});
  format::FileHeader header{};
  std::memcpy(header.magic, format::kMagic, sizeof header.magic);
  header.format_version = format::kFormatVersion;
  header.n_sections = static_cast<uint32_t>(table.size());
  header.file_bytes = layout.file_bytes;
  header.build_id = c.build_id;
  header.manifest_checksum = c.manifest_checksum;
  header.section_table_offset = sizeof header;
  header.section_table_checksum = Checksum(table.data(), table.size() * sizeof(table[0]));
  header.header_checksum = Checksum(&header, offsetof(format::FileHeader, header_checksum));
  ARROW_RETURN_NOT_OK(bin.WriteAt(table.data(), table.size() * sizeof(table[0]), sizeof header));
  ARROW_RETURN_NOT_OK(bin.WriteAt(&header, sizeof header, 0));
  {  // padding after the last byte written makes the size exactly file_bytes (empty sections
     // at the end, as an index of no rows has, write nothing)
    static const char zeros[format::kAlignment] = {};
    uint64_t end = 0;
    for (const auto& s : layout.plan) {
      if (s.length > 0) end = std::max(end, s.offset + s.length);
    }
    if (end < layout.file_bytes) ARROW_RETURN_NOT_OK(bin.WriteAt(zeros, layout.file_bytes - end, end));
  }
  ARROW_RETURN_NOT_OK(bin.SyncAndClose());
  ARROW_RETURN_NOT_OK(advance(layout.file_bytes - static_cast<uint64_t>(written)));
  return bin.RenameTo(path);
}

// Until the manifest naming them is committed, binary files renamed or
// linked into the index directory are ours to remove on failure; the old
// manifest does not name them.
struct RemoveUnlessCommitted {
  std::vector<std::string> paths;
  bool committed = false;
  ~RemoveUnlessCommitted() {
    if (committed) return;
    for (const std::string& p : paths) ::unlink(p.c_str());
  }
};

// The commit point: manifest.json replaced by `text` (from then on the new
// binary files behind `guard`, if any, are the index's), then the files `m`
// no longer names removed.
Status Commit(const std::string& index_dir, const Manifest& m, const std::string& text,
              RemoveUnlessCommitted* guard) {
  const std::string manifest_path = (fs::path(index_dir) / format::kManifestName).string();
  TempFile man;
  ARROW_RETURN_NOT_OK(man.Create(manifest_path + "." + format::Hex16(NewBuildId(index_dir)) + ".tmp"));
  ARROW_RETURN_NOT_OK(man.WriteAt(text.data(), text.size(), 0));
  ARROW_RETURN_NOT_OK(man.SyncAndClose());
  ARROW_RETURN_NOT_OK(man.RenameTo(manifest_path));
  if (guard != nullptr) guard->committed = true;
  ARROW_RETURN_NOT_OK(SyncDirectory(index_dir));
  RemoveLeftovers(index_dir, m);
  return Status::OK();
}

bool ValidParams(const IndexParams& p) {
  return p.dim > 0 && p.nlist > 0 && p.pq_m > 0 && p.dim % p.pq_m == 0 && p.pq_bits == 8;
}

format::MetaSection MetaOf(const IndexParams& p, int32_t n_files, int64_t rows) {
  format::MetaSection meta{};
  meta.dim = p.dim;
  meta.metric = MetricCode(p.metric);
  meta.nlist = p.nlist;
  meta.pq_m = p.pq_m;
  meta.pq_bits = p.pq_bits;
  meta.n_files = n_files;
  meta.rows_indexed = rows;
  return meta;
}

int64_t Sum(const std::vector<int64_t>& v) {
  int64_t s = 0;
  for (int64_t x : v) s += x;
  return s;
}

}  // namespace

uint64_t NewBuildId(const std::string& dir) {
  std::random_device rd;
  std::mt19937_64 gen((static_cast<uint64_t>(rd()) << 32) ^ rd() ^
                      static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()));
  for (;;) {
    uint64_t id = gen();
    if (id == 0) continue;
    std::error_code ec;
    if (!fs::exists(fs::path(dir) / format::IndexFileName(id), ec) &&
        !fs::exists(fs::path(dir) / format::SegmentFileName(id), ec)) {
      return id;
    }
  }
}

Result<IndexLock> IndexLock::Acquire(const std::string& index_dir) {
  std::error_code ec;
  fs::create_directories(index_dir, ec);
  if (ec) return Status::IOError("cannot create index directory '", index_dir, "': ", ec.message());
  return Lock(index_dir);
}

Result<IndexLock> IndexLock::AcquireExisting(const std::string& index_dir) {
  std::error_code ec;
  if (!fs::is_directory(index_dir, ec)) return NotFound("no index at '" + index_dir + "'");
  return Lock(index_dir);
}

Result<IndexLock> IndexLock::Lock(const std::string& index_dir) {
  // The directory itself is the lock: no file of its own to leave behind.
  int fd = ::open(index_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoError("cannot open the index directory", index_dir);
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    Status st = ErrnoError("cannot lock the index directory", index_dir);
    ::close(fd);
    return st;
  }
  return IndexLock(fd);
}

IndexLock::~IndexLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the descriptor releases the lock
}

Status WriteIndex(const std::string& index_dir, IndexContents c, const WriteProgress& progress) {
  ARROW_ASSIGN_OR_RAISE(IndexLock lock, IndexLock::Acquire(index_dir));
  return WriteIndex(index_dir, lock, std::move(c), progress);
}

Status WriteIndex(const std::string& index_dir, const IndexLock&, IndexContents c,
                  const WriteProgress& progress) {
  Manifest& m = c.manifest;
  const IndexParams& p = m.params;
  if (!ValidParams(p) || static_cast<int64_t>(c.list_sizes.size()) != p.nlist) {
    return Status::Invalid("index writer: inconsistent parameters");
  }
  const int64_t rows = Sum(c.list_sizes);
  if (rows != m.rows_indexed) return Status::Invalid("index writer: list sizes do not sum to rows");

  Layout layout(p, static_cast<uint64_t>(rows), /*with_quantizers=*/true);
  m.format_version = format::kManifestVersion;
  m.segments.clear();
  m.removed_files.clear();
  m.build_id = NewBuildId(index_dir);
  m.index_file = format::IndexFileName(m.build_id);
  m.index_file_bytes = layout.file_bytes;
  const std::string manifest_text = m.ToJson();

  const std::string index_path = (fs::path(index_dir) / m.index_file).string();
  BinaryContents b{&p, MetaOf(p, static_cast<int32_t>(m.files.size()), rows), c.centroids, c.codebooks,
                   &c.list_sizes, &c.fill_list, m.build_id, Checksum(manifest_text.data(), manifest_text.size())};
  ARROW_RETURN_NOT_OK(WriteBinary(index_path, std::move(layout), b, progress));
  RemoveUnlessCommitted guard{{index_path}};
  return Commit(index_dir, m, manifest_text, &guard);
}

Result<SegmentRef> WriteSegmentFile(const std::string& path, uint64_t build_id, const IndexParams& p,
                                    uint64_t quantizer_id, const SegmentContents& c,
                                    const WriteProgress& progress) {
  const int32_t n_files = static_cast<int32_t>(c.described.files.size());
  if (!ValidParams(p) || static_cast<int64_t>(c.list_sizes.size()) != p.nlist || c.first_file < 0) {
    return Status::Invalid("segment writer: inconsistent parameters");
  }
  const int64_t rows = Sum(c.list_sizes);
  const std::string described = c.described.ToJson();
  Layout layout(p, static_cast<uint64_t>(rows), /*with_quantizers=*/false, described.size());
  SegmentRef ref;
  ref.build_id = build_id;
  ref.file = format::SegmentFileName(build_id);
  ref.bytes = layout.file_bytes;
  ref.first_file = c.first_file;
  ref.n_files = n_files;
  ref.rows_indexed = rows;
  ref.error = c.described.error;

  format::MetaSection meta = MetaOf(p, n_files, rows);
  meta.quantizer_id = quantizer_id;
  meta.first_file = c.first_file;
  // A segment's header names no manifest: the manifest checks itself.
  BinaryContents b{&p, meta, nullptr, nullptr, &c.list_sizes, &c.fill_list, build_id, 0, &described};
  ARROW_RETURN_NOT_OK(WriteBinary(path, std::move(layout), b, progress));
  return ref;
}

Status WriteSegment(const std::string& index_dir, const IndexLock&, Manifest next, SegmentContents c,
                    const WriteProgress& progress) {
  if (static_cast<size_t>(c.first_file) + c.described.files.size() != next.files.size()) {
    return Status::Invalid("segment writer: inconsistent parameters");
  }
  const uint64_t id = NewBuildId(index_dir);
  const std::string path = (fs::path(index_dir) / format::SegmentFileName(id)).string();
  ARROW_ASSIGN_OR_RAISE(SegmentRef ref, WriteSegmentFile(path, id, next.params, next.build_id, c, progress));
  RemoveUnlessCommitted guard{{path}};
  next.segments.push_back(std::move(ref));
  next.format_version = format::kManifestVersionSegments;
  return Commit(index_dir, next, next.ToJson(), &guard);
}

namespace {

// `from` under the name `to`: a hard link, or a synced copy where the file
// systems differ. False when `to` is `from` already (nothing placed).
Result<bool> PlaceFile(const std::string& from, const std::string& to) {
  std::error_code ec;
  if (fs::equivalent(from, to, ec)) return false;
  if (::link(from.c_str(), to.c_str()) == 0) return true;
  if (errno == EEXIST) {
    // Binary files are named by their random build id: one of that name is
    // this file, placed by an earlier commit (the base a retried commit shares).
    if (fs::file_size(from, ec) == fs::file_size(to, ec) && !ec) return false;
    return ErrnoError("cannot link '" + from + "' as", to);
  }
  if (errno != EXDEV && errno != EPERM && errno != EMLINK && errno != ENOTSUP) {
    return ErrnoError("cannot link '" + from + "' as", to);
  }
  const std::string tmp = to + ".tmp";
  fs::copy_file(from, tmp, fs::copy_options::overwrite_existing, ec);
  if (ec) {
    ::unlink(tmp.c_str());
    return Status::IOError("cannot copy '", from, "' to '", tmp, "': ", ec.message());
  }
  int fd = ::open(tmp.c_str(), O_RDONLY | O_CLOEXEC);
  const bool synced = fd >= 0 && ::fsync(fd) == 0;
  if (fd >= 0) ::close(fd);
  if (!synced || ::rename(tmp.c_str(), to.c_str()) != 0) {
    Status st = ErrnoError("cannot copy '" + from + "' to", to);
    ::unlink(tmp.c_str());
    return st;
  }
  return true;
}

}  // namespace

Status CommitSegments(const std::string& index_dir, const IndexLock&, Manifest next,
                      const std::vector<std::string>& carried, const std::vector<SegmentFile>& segments,
                      const std::function<Status(const Manifest&)>& verify) {
  RemoveUnlessCommitted guard;
  auto place = [&](const std::string& from, const std::string& name) -> Status {
    const std::string to = (fs::path(index_dir) / name).string();
    ARROW_ASSIGN_OR_RAISE(bool placed, PlaceFile(from, to));
    if (placed) guard.paths.push_back(to);
    return Status::OK();
  };
  for (const std::string& from : carried) ARROW_RETURN_NOT_OK(place(from, fs::path(from).filename().string()));
  for (const SegmentFile& g : segments) {
    ARROW_RETURN_NOT_OK(place(g.path, g.ref.file));
    next.Add(g.described);
    next.segments.push_back(g.ref);
  }
  next.format_version = format::kManifestVersionSegments;
  ARROW_RETURN_NOT_OK(verify(next));
  return Commit(index_dir, next, next.ToJson(), &guard);
}

Status CommitManifest(const std::string& index_dir, const IndexLock&, Manifest next) {
  next.format_version = format::kManifestVersionSegments;
  return Commit(index_dir, next, next.ToJson(), nullptr);
}

}  // namespace quiver
