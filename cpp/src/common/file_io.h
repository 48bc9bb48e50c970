// Whole-buffer positional reads and writes on a file descriptor, retried on
// interruption and short counts, and the error that names what failed:
// "<what> '<path>': <reason>".
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "common/status.h"

namespace quiver {

// An IOError from errno as it is now.
Status ErrnoError(const std::string& what, const std::string& path);

Status WriteFullyAt(int fd, const void* data, size_t n, int64_t offset, const std::string& what,
                    const std::string& path);
// The end of the file before n bytes is an error ("unexpected end of file").
Status ReadFullyAt(int fd, void* data, size_t n, int64_t offset, const std::string& what, const std::string& path);

}  // namespace quiver
