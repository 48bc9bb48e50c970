#include "index/segment_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <optional>
#include <vector>

#include "common/checksum.h"
#include "common/file_io.h"

namespace quiver {
namespace {

// Closes the descriptor however the read ends.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

Result<SegmentFile> ReadSegmentFile(const std::string& path) {
  auto corrupt = [&](const std::string& what) { return CorruptIndex("corrupt segment file '" + path + "': " + what); };
  Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0) {
    if (errno == ENOENT) return NotFound("no segment file at '" + path + "'");
    return ErrnoError("cannot open the segment file", path);
  }
  struct stat st;
  if (::fstat(f.fd, &st) != 0) return ErrnoError("cannot stat", path);
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  if (size < sizeof(format::FileHeader)) return corrupt("too small");
  format::FileHeader h;
  ARROW_RETURN_NOT_OK(ReadFullyAt(f.fd, &h, sizeof h, 0, "cannot read", path));
  if (std::memcmp(h.magic, format::kMagic, sizeof h.magic) != 0) return corrupt("bad magic");
  if (h.header_checksum != Checksum(&h, offsetof(format::FileHeader, header_checksum))) {
    return corrupt("header checksum mismatch");
  }
  if (h.format_version != format::kFormatVersion) {
    return Unsupported("segment file '" + path + "' has format version " + std::to_string(h.format_version) +
                       "; this library reads version " + std::to_string(format::kFormatVersion));
  }
  if (h.file_bytes != size) return corrupt("file size differs from the header (truncated or overwritten)");
  const uint64_t table_bytes = static_cast<uint64_t>(h.n_sections) * sizeof(format::SectionEntry);
  if (h.n_sections > 4096 || h.section_table_offset < sizeof h || h.section_table_offset > size ||
      table_bytes > size - h.section_table_offset) {
    return corrupt("section table out of bounds");
  }
  std::vector<format::SectionEntry> table(h.n_sections);
  ARROW_RETURN_NOT_OK(ReadFullyAt(f.fd, table.data(), table_bytes, static_cast<int64_t>(h.section_table_offset),
                                  "cannot read", path));
  if (h.section_table_checksum != Checksum(table.data(), table_bytes)) return corrupt("section table checksum mismatch");

  // A small section, read whole and checked; nullopt when the file has none.
  auto read = [&](format::SectionId id, uint64_t max_bytes) -> Result<std::optional<std::string>> {
    for (const auto& s : table) {
      if (s.id != id) continue;
      if (s.offset > size || s.length > size - s.offset || s.length > max_bytes) {
        return corrupt("section " + std::to_string(id) + " out of bounds");
      }
      std::string bytes(s.length, '\0');
      ARROW_RETURN_NOT_OK(ReadFullyAt(f.fd, bytes.data(), bytes.size(), static_cast<int64_t>(s.offset),
                                      "cannot read", path));
      if (Checksum(bytes.data(), bytes.size()) != s.checksum) {
        return corrupt("section " + std::to_string(id) + " checksum mismatch");
      }
      return std::optional<std::string>(std::move(bytes));
    }
    return std::optional<std::string>();
  };
  ARROW_ASSIGN_OR_RAISE(auto meta_bytes, read(format::kSectionMeta, sizeof(format::MetaSection)));
  if (!meta_bytes) return corrupt("no metadata section");
  if (meta_bytes->size() != sizeof(format::MetaSection)) return corrupt("metadata section has the wrong size");
  SegmentFile out;
  out.path = path;
  std::memcpy(&out.meta, meta_bytes->data(), sizeof out.meta);
  if (out.meta.quantizer_id == 0) {
    return Status::Invalid("'", path, "' is the base file of an index, not a segment file");
  }
  ARROW_ASSIGN_OR_RAISE(auto described, read(format::kSectionSegmentFiles, 1ull << 32));
  if (!described) {
    return Status::Invalid("the segment file '", path, "' does not describe its files: it was written by an append ",
                           "to an index, not by qv_encode_segment, and is committed only by that index's manifest");
  }
  ARROW_ASSIGN_OR_RAISE(out.described, SegmentFiles::Parse(*described, path));
  const format::MetaSection& m = out.meta;
  int64_t rows = 0;
  for (const SourceFile& s : out.described.files) rows += s.rows_indexed;
  if (m.n_files != static_cast<int32_t>(out.described.files.size()) || m.rows_indexed != rows || m.first_file < 0) {
    return corrupt("the metadata and the description of the files disagree");
  }
  out.ref.file = format::SegmentFileName(h.build_id);
  out.ref.bytes = size;
  out.ref.build_id = h.build_id;
  out.ref.first_file = m.first_file;
  out.ref.n_files = m.n_files;
  out.ref.rows_indexed = m.rows_indexed;
  out.ref.error = out.described.error;
  return out;
}

}  // namespace quiver
