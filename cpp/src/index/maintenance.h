// Changing indexes without reading their source files: removing files from
// one, compacting its segments into one base file, merging several built
// with the same quantizers into one, committing segments encoded elsewhere.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "index/index_writer.h"

namespace quiver {

// See qv_remove_files: each path as the index records it (or, for a local
// file, any path to it); NotFound naming the first that the index does not
// hold. Commits one manifest; no binary file changes.
Status RemoveFiles(const std::string& index_dir, const std::vector<std::string>& paths);

// See qv_compact: one base file with the rows of every file not removed,
// renumbered in order; what a build over those files with the same
// quantizers writes. Nothing to do (one segment, nothing removed) is OK.
Status CompactIndex(const std::string& index_dir, const WriteProgress& progress);

// See qv_merge: the indexes in `part_dirs`, built with the same quantizers,
// as one index in `index_dir` (their files in order, each part's numbered
// after the previous part's).
Status MergeIndexes(const std::vector<std::string>& part_dirs, const std::string& index_dir,
                    const WriteProgress& progress);

// See qv_commit_segments: the segment files at `segment_paths` added, in
// order, to the index at `base_dir` (empty: the index at `index_dir`), as
// the index at `index_dir`.
Status CommitSegmentFiles(const std::string& index_dir, const std::string& base_dir,
                          const std::vector<std::string>& segment_paths);

}  // namespace quiver
