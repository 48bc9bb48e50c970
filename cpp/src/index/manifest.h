// manifest.json: the human-readable half of an index directory. It records
// what a reader needs to trust the binary file (its name, size and build id),
// the build parameters, the row counts, and each source file's fingerprint.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "index/index_reader.h"

namespace quiver {

// How well the quantizers fit the rows of a segment: the means of their
// squared distance to their list's centroid and of their PQ reconstruction's
// squared error. Appended rows that the build's quantizers fit markedly worse
// than the build's own rows are rows a retrain would serve better. 0 when
// unknown (indexes built before it was recorded).
struct EncodingError {
  double coarse = 0;
  double pq = 0;
};

// A segment appended after the build: its binary file and the files whose
// rows its posting lists hold, files [first_file, first_file + n_files).
struct SegmentRef {
  std::string file;  // name inside the index directory
  uint64_t bytes = 0;
  uint64_t build_id = 0;
  int32_t first_file = 0;
  int32_t n_files = 0;
  int64_t rows_indexed = 0;
  EncodingError error;
};

// What a segment file says of itself, for a commit that did not see it
// written (qv_encode_segment, then qv_commit_segments elsewhere): its source
// files with their fingerprints, their skip counts and how well the
// quantizers fit its rows. Stored as JSON in the segment file's files
// section.
struct SegmentFiles {
  std::vector<SourceFile> files;
  SkipCounts skipped;
  EncodingError error;

  std::string ToJson() const;
  // CorruptIndex naming `origin` when the text is not such a description.
  static Result<SegmentFiles> Parse(const std::string& text, const std::string& origin);
};

struct Manifest {
  int32_t format_version = 0;   // format::kManifestVersion*
  std::string index_file;       // the base file's name inside the index directory
  uint64_t index_file_bytes = 0;
  uint64_t build_id = 0;
  EncodingError base_error;  // of the base file's rows
  IndexParams params;
  // Both count the files not removed: what a search answers from.
  int64_t rows_total = 0;
  int64_t rows_indexed = 0;
  SkipCounts skipped;
  std::vector<SourceFile> files;  // every ordinal ever given, removed ones too
  std::vector<SegmentRef> segments;    // oldest first
  std::vector<int32_t> removed_files;  // ordinals, ascending

  // Version 2 carries a checksum of its own text: the base file's header
  // holds the checksum of the manifest it was built with, which appends and
  // removals replace.
  std::string ToJson() const;
  // CorruptIndex (naming `origin`) when the text is not a manifest, or is a
  // version 2 manifest whose checksum does not match it.
  static Result<Manifest> Parse(const std::string& text, const std::string& origin);

  bool removed(int32_t file) const;
  // The ordinal of the file not removed whose recorded path is `path`, or -1.
  int32_t live_file(const std::string& path) const;
  // `s`'s files after the manifest's, with their rows and skip counts.
  void Add(const SegmentFiles& s);
  // The files of the base file: those before the first segment's.
  int32_t base_files() const {
    return segments.empty() ? static_cast<int32_t>(files.size()) : segments.front().first_file;
  }
};


}  // namespace quiver
