// The ENCODE phase: streams every file once, in bounded memory, and gives
// each usable row its list (L2-nearest centroid) and the PQ code of its
// residual, and hands them to a ListSpill. Files are encoded in parallel, one per thread; with fewer files
// than threads, the batches of a file are split across threads instead.
#pragma once

#include <cstdint>
#include <vector>

#include "build/list_spill.h"
#include "build/progress.h"
#include "build/source_files.h"
#include "build/trainer.h"

namespace quiver {

// Every usable row goes to `spill` with its list, key and code; fills every
// file's rows_indexed and skip counts. The files' ordinals in the row keys
// start at `first_ordinal` (an append numbers its files after the index's).
Status EncodeSources(ScannedSources* sources, const std::string& column, const TrainOptions& opt,
                     const Quantizers& q, ListSpill* spill, Progress* progress,
                     int32_t first_ordinal = 0);

}  // namespace quiver
