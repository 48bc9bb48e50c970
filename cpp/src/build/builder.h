// Building an index: scan the sources, sample, train, encode, write;
// training one on a sample given by the caller; appending files to one:
// scan, encode with its quantizers, write a segment (into the index, or into
// a file of its own for a commit elsewhere).
#pragma once

#include <string>
#include <vector>

#include "build/build_params.h"
#include "build/progress.h"
#include "common/status.h"

namespace quiver {

// See qv_build for the contract: atomic, cancellable through `progress`
// (may be empty), and every failure a status naming its cause.
Status BuildIndex(const std::vector<std::string>& paths, const BuildParams& params,
                  const std::string& index_dir, const ProgressFn& progress);

// See qv_train: an index of no files, with quantizers trained on `sample`
// (n * dim floats), for builds that encode with them elsewhere.
Status TrainIndex(const float* sample, int64_t n, int32_t dim, int64_t corpus_rows, const BuildParams& params,
                  const std::string& index_dir, const ProgressFn& progress);

// See qv_append: `params` gives the storage, the threads and the source text;
// the rest comes from the index.
Status AppendFiles(const std::vector<std::string>& paths, const BuildParams& params,
                   const std::string& index_dir, const ProgressFn& progress);

// See qv_encode_segment: `params.quantizers_from` names the index whose
// quantizers encode the files, numbered from `first_file`, into one segment
// file at `segment_path`, for qv_commit_segments.
Status EncodeSegment(const std::vector<std::string>& paths, const BuildParams& params, int32_t first_file,
                     const std::string& segment_path, const ProgressFn& progress);

}  // namespace quiver
