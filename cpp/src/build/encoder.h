// The ENCODE phase: streams every file once, in bounded memory, and gives
// each usable row its list (L2-nearest centroid) and the PQ code of its
// residual. Files are encoded in parallel, one per thread; with fewer files
// than threads, the batches of a file are split across threads instead.
#pragma once

#include <cstdint>
#include <vector>

#include "build/progress.h"
#include "build/source_files.h"
#include "build/trainer.h"

namespace quiver {

// Indexed by slot (a file's first_slot + row); a skipped row has list -1.
struct EncodedRows {
  std::vector<int32_t> list;
  std::vector<uint8_t> codes;  // pq_m bytes per slot
};

// Fills every file's rows_indexed and skip counts.
Result<EncodedRows> EncodeSources(ScannedSources* sources, const std::string& column,
                                  const TrainOptions& opt, const Quantizers& q, Progress* progress);

}  // namespace quiver
