#include "index/index_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <random>

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

uint64_t NewBuildId(const std::string& dir) {
  std::random_device rd;
  std::mt19937_64 gen((static_cast<uint64_t>(rd()) << 32) ^ rd() ^
                      static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()));
  for (;;) {
    uint64_t id = gen();
    if (id == 0) continue;
    std::error_code ec;
    if (!fs::exists(fs::path(dir) / format::IndexFileName(id), ec)) return id;
  }
}

// Removes what earlier builds (or an interrupted one) left: index files other
// than `keep` and temporary files. Best effort: the new index is committed.
void RemoveLeftovers(const std::string& dir, const std::string& keep) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    bool ours = name.rfind(format::kIndexFilePrefix, 0) == 0 &&
                (name.ends_with(format::kIndexFileSuffix) || name.ends_with(".tmp"));
    bool manifest_tmp = name.rfind(std::string(format::kManifestName) + ".", 0) == 0 &&
                        name.ends_with(".tmp");
    if ((ours || manifest_tmp) && name != keep) fs::remove(e.path(), ec);
  }
}

}  // namespace

Status WriteIndex(const std::string& index_dir, IndexContents c, const WriteProgress& progress) {
  Manifest& m = c.manifest;
  const IndexParams& p = m.params;
  if (p.dim <= 0 || p.nlist <= 0 || p.pq_m <= 0 || p.dim % p.pq_m != 0 || p.pq_bits != 8 ||
      static_cast<int64_t>(c.list_sizes.size()) != p.nlist) {
    return Status::Invalid("index writer: inconsistent parameters");
  }
  int64_t rows = 0;
  for (int64_t s : c.list_sizes) rows += s;
  if (rows != m.rows_indexed) return Status::Invalid("index writer: list sizes do not sum to rows");

  std::error_code ec;
  fs::create_directories(index_dir, ec);
  if (ec) return Status::IOError("cannot create index directory '", index_dir, "': ", ec.message());

  // Layout: header, section table, then each section 64-byte aligned.
  const uint64_t dim = p.dim, nlist = p.nlist, m_sub = p.pq_m;
  struct Planned {
    format::SectionId id;
    uint64_t length;
    uint64_t offset = 0;
    uint64_t checksum = 0;
  };
  std::vector<Planned> plan = {
      {format::kSectionMeta, sizeof(format::MetaSection)},
      {format::kSectionCentroids, nlist * dim * sizeof(float)},
      {format::kSectionPqCodebooks, m_sub * 256 * (dim / m_sub) * sizeof(float)},
      {format::kSectionListDirectory, nlist * sizeof(format::ListEntry)},
      {format::kSectionCodes, static_cast<uint64_t>(rows) * m_sub},
      {format::kSectionKeys, static_cast<uint64_t>(rows) * sizeof(uint64_t)},
  };
  uint64_t pos = format::AlignUp(sizeof(format::FileHeader) + plan.size() * sizeof(format::SectionEntry));
  for (auto& s : plan) {
    s.offset = pos;
    pos = format::AlignUp(pos + s.length);
  }
  const uint64_t file_bytes = pos;
  auto section = [&](format::SectionId id) -> Planned& {
    for (auto& s : plan) {
      if (s.id == id) return s;
    }
    return plan.front();  // unreachable: every id is planned above
  };

  m.format_version = format::kFormatVersion;
  m.build_id = NewBuildId(index_dir);
  m.index_file = format::IndexFileName(m.build_id);
  m.index_file_bytes = file_bytes;
  const std::string manifest_text = m.ToJson();

  const std::string index_path = (fs::path(index_dir) / m.index_file).string();
  TempFile bin;
  ARROW_RETURN_NOT_OK(bin.Create(index_path + ".tmp"));

  int64_t written = 0;
  auto advance = [&](uint64_t bytes) -> Status {
    written += static_cast<int64_t>(bytes);
    return progress ? progress(written, static_cast<int64_t>(file_bytes)) : Status::OK();
  };

  format::MetaSection meta{};
  meta.dim = p.dim;
  meta.metric = MetricCode(p.metric);
  meta.nlist = p.nlist;
  meta.pq_m = p.pq_m;
  meta.pq_bits = p.pq_bits;
  meta.n_files = static_cast<int32_t>(m.files.size());
  meta.rows_indexed = rows;
  auto write_small = [&](format::SectionId id, const void* data) -> Status {
    Planned& s = section(id);
    s.checksum = Checksum(data, s.length);
    ARROW_RETURN_NOT_OK(bin.WriteAt(data, s.length, s.offset));
    return advance(s.length);
  };
  ARROW_RETURN_NOT_OK(write_small(format::kSectionMeta, &meta));
  ARROW_RETURN_NOT_OK(write_small(format::kSectionCentroids, c.centroids));
  ARROW_RETURN_NOT_OK(write_small(format::kSectionPqCodebooks, c.codebooks));

  // Posting lists, in list order, into the codes and keys sections.
  std::vector<format::ListEntry> directory(nlist);
  {
    SectionStream codes(&bin, section(format::kSectionCodes).offset);
    SectionStream keys(&bin, section(format::kSectionKeys).offset);
    std::vector<uint8_t> list_codes;
    std::vector<uint64_t> list_keys;
    uint64_t offset = 0;
    for (uint64_t l = 0; l < nlist; ++l) {
      const uint64_t n = static_cast<uint64_t>(c.list_sizes[l]);
      list_codes.assign(n * m_sub, 0);
      list_keys.assign(n, 0);
      if (n > 0) ARROW_RETURN_NOT_OK(c.fill_list(static_cast<int32_t>(l), list_codes.data(), list_keys.data()));
      directory[l] = {offset, n, format::ListChecksum(list_codes.data(), list_codes.size(), list_keys.data(), n), 0};
      ARROW_RETURN_NOT_OK(codes.Append(list_codes.data(), list_codes.size()));
      ARROW_RETURN_NOT_OK(keys.Append(list_keys.data(), n * sizeof(uint64_t)));
      offset += n;
      ARROW_RETURN_NOT_OK(advance(n * (m_sub + sizeof(uint64_t))));
    }
    ARROW_RETURN_NOT_OK(codes.Flush());
    ARROW_RETURN_NOT_OK(keys.Flush());
    section(format::kSectionCodes).checksum = codes.checksum();
    section(format::kSectionKeys).checksum = keys.checksum();
  }
  ARROW_RETURN_NOT_OK(write_small(format::kSectionListDirectory, directory.data()));

  std::vector<format::SectionEntry> table;
  for (const auto& s : plan) table.push_back({s.id, 0, s.offset, s.length, s.checksum});
  format::FileHeader header{};
  std::memcpy(header.magic, format::kMagic, sizeof header.magic);
  header.format_version = format::kFormatVersion;
  header.n_sections = static_cast<uint32_t>(table.size());
  header.file_bytes = file_bytes;
  header.build_id = m.build_id;
  header.manifest_checksum = Checksum(manifest_text.data(), manifest_text.size());
  header.section_table_offset = sizeof header;
  header.section_table_checksum = Checksum(table.data(), table.size() * sizeof(table[0]));
  header.header_checksum = Checksum(&header, offsetof(format::FileHeader, header_checksum));
  ARROW_RETURN_NOT_OK(bin.WriteAt(table.data(), table.size() * sizeof(table[0]), sizeof header));
  ARROW_RETURN_NOT_OK(bin.WriteAt(&header, sizeof header, 0));
  {  // padding after the last section makes the size exactly file_bytes
    static const char zeros[format::kAlignment] = {};
    const Planned& last = plan.back();
    uint64_t end = last.offset + last.length;
    if (end < file_bytes) ARROW_RETURN_NOT_OK(bin.WriteAt(zeros, file_bytes - end, end));
  }
  ARROW_RETURN_NOT_OK(bin.SyncAndClose());
  ARROW_RETURN_NOT_OK(advance(file_bytes - static_cast<uint64_t>(written)));
  ARROW_RETURN_NOT_OK(bin.RenameTo(index_path));
  // From here until the manifest is committed, the renamed binary is ours to
  // remove on failure; the old manifest still names the old binary.
  struct RemoveUnlessCommitted {
    std::string path;
    bool committed = false;
    ~RemoveUnlessCommitted() {
      if (!committed) ::unlink(path.c_str());
    }
  } binary_guard{index_path};

  const std::string manifest_path = (fs::path(index_dir) / format::kManifestName).string();
  TempFile man;
  ARROW_RETURN_NOT_OK(man.Create(manifest_path + "." + std::to_string(m.build_id) + ".tmp"));
  ARROW_RETURN_NOT_OK(man.WriteAt(manifest_text.data(), manifest_text.size(), 0));
  ARROW_RETURN_NOT_OK(man.SyncAndClose());
  ARROW_RETURN_NOT_OK(man.RenameTo(manifest_path));
  binary_guard.committed = true;
  ARROW_RETURN_NOT_OK(SyncDirectory(index_dir));
  RemoveLeftovers(index_dir, m.index_file);
  return Status::OK();
}

}  // namespace quiver
