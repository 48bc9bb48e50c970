// Turns the paths a caller gives into the ordered list of source files.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace quiver {

// Each path is a file (taken as is) or a directory (expanded in place to the
// regular files under it whose names end in ".parquet", recursively, sorted
// by path). Paths become absolute. A missing path is NotFound; a file listed
// twice, or nothing to index at all, is Invalid.
// Paths read through a caller's file source, taken as given: each one file,
// none empty, none twice.
Result<std::vector<std::string>> CheckInputFiles(const std::vector<std::string>& paths);

Result<std::vector<std::string>> ExpandInputPaths(const std::vector<std::string>& paths);

}  // namespace quiver
