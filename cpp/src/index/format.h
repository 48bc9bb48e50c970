// The on-disk layout of an index directory.
//
//   <index_dir>/manifest.json     human-readable: format version, build
//                                 parameters, row counts, source files with
//                                 their fingerprints, and the name, size and
//                                 build id of the binary file. Renaming it
//                                 into place is the commit point of a build.
//   <index_dir>/index-<id>.qvi    the base binary file described below: the
//                                 trained quantizers and the posting lists
//                                 of the files it was built over.
//   <index_dir>/segment-<id>.qvs  appended segments (manifest version 2): the
//                                 same binary layout without the quantizer
//                                 sections, posting lists of later files
//                                 encoded with the base file's quantizers.
//
// Binary file (little-endian):
//   [0, 64)        FileHeader
//   section table  SectionEntry[n_sections] at section_table_offset (the
//                  writer puts it right after the header; an append may put
//                  a new one at the end of the file)
//   sections       each at a 64-byte aligned offset, in any order
//
// Readers ignore section ids they do not know, so later versions can add
// sections (appends, page location tables, ...) without breaking old readers;
// kFormatVersion changes only when an existing section changes meaning.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

#include "common/checksum.h"

namespace quiver::format {

inline constexpr char kMagic[8] = {'Q', 'V', 'I', 'N', 'D', 'E', 'X', '1'};
inline constexpr uint32_t kFormatVersion = 1;  // of the binary files
// Of manifest.json: 1 names the base file only (what every build writes, so
// that older libraries keep opening fresh builds); 2 adds appended segments,
// removed files and a checksum of its own text. A library refuses a manifest
// version newer than it knows, so an old one never answers from the base file
// alone.
inline constexpr int32_t kManifestVersion = 1;
inline constexpr int32_t kManifestVersionSegments = 2;
inline constexpr uint64_t kAlignment = 64;
inline constexpr const char* kManifestName = "manifest.json";
inline constexpr const char* kIndexFilePrefix = "index-";
inline constexpr const char* kIndexFileSuffix = ".qvi";
inline constexpr const char* kSegmentFilePrefix = "segment-";
inline constexpr const char* kSegmentFileSuffix = ".qvs";

enum SectionId : uint32_t {
  kSectionMeta = 1,           // MetaSection
  kSectionCentroids = 2,      // nlist * dim float32
  kSectionPqCodebooks = 3,    // pq_m * 256 * (dim / pq_m) float32
  kSectionListDirectory = 4,  // ListEntry[nlist]
  kSectionCodes = 5,          // rows_indexed * pq_m uint8, grouped by list
  kSectionKeys = 6,           // rows_indexed uint64 row keys, grouped by list
  // Segment files only: its source files (SegmentFiles, as JSON), so that a
  // segment encoded elsewhere can be committed from the file alone.
  kSectionSegmentFiles = 7,
};

struct FileHeader {
  char magic[8];
  uint32_t format_version;
  uint32_t n_sections;
  uint64_t file_bytes;
  uint64_t build_id;              // also recorded in the manifest
  uint64_t manifest_checksum;     // Checksum of manifest.json's bytes
  uint64_t section_table_checksum;
  uint64_t section_table_offset;
  uint64_t header_checksum;       // Checksum of the 56 bytes before it
};
static_assert(sizeof(FileHeader) == 64);

struct SectionEntry {
  uint32_t id;
  uint32_t reserved;
  uint64_t offset;
  uint64_t length;
  uint64_t checksum;  // Checksum of the section's bytes
};
static_assert(sizeof(SectionEntry) == 32);

// A base file has every section; a segment file has all but the centroids
// and codebooks, which it shares with the base file named by quantizer_id.
struct MetaSection {
  int32_t dim;
  int32_t metric;
  int32_t nlist;
  int32_t pq_m;
  int32_t pq_bits;
  int32_t n_files;       // base: files [0, n_files); segment: its own count
  int64_t rows_indexed;  // rows in this file's posting lists
  uint64_t quantizer_id;  // segment: the base file's build id; base: 0
  int32_t first_file;     // segment: the ordinal of its first file; base: 0
  int32_t reserved32;
  uint64_t reserved[2];
};
static_assert(sizeof(MetaSection) == 64);

// One posting list: entries [offset, offset + count) of the codes and keys
// sections. Its checksum covers the list's codes, then its keys
// (ListChecksum), so a list can be verified on its own when first used.
struct ListEntry {
  uint64_t offset;
  uint64_t count;
  uint64_t checksum;
  uint64_t reserved;
};
static_assert(sizeof(ListEntry) == 32);

inline uint64_t ListChecksum(const uint8_t* codes, size_t code_bytes, const uint64_t* keys,
                             size_t n_keys) {
  return Checksum(keys, n_keys * sizeof(uint64_t), Checksum(codes, code_bytes));
}

inline uint64_t AlignUp(uint64_t x) { return (x + kAlignment - 1) / kAlignment * kAlignment; }

inline std::string Hex16(uint64_t v) {
  static const char* hex = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) s[i] = hex[v & 15];
  return s;
}

inline std::string IndexFileName(uint64_t build_id) {
  return kIndexFilePrefix + Hex16(build_id) + kIndexFileSuffix;
}

inline std::string SegmentFileName(uint64_t build_id) {
  return kSegmentFilePrefix + Hex16(build_id) + kSegmentFileSuffix;
}

}  // namespace quiver::format
