// The project's one checksum: 64-bit XXH3 (libxxhash, a stable format), fast
// enough that verifying a posting list costs less than scanning it. The index
// file and the source files' footer fingerprints both use it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace quiver {

uint64_t Checksum(const void* data, size_t length, uint64_t seed = 0);

// The same checksum over data that arrives in pieces.
class StreamingChecksum {
 public:
  StreamingChecksum();
  ~StreamingChecksum();
  StreamingChecksum(const StreamingChecksum&) = delete;
  StreamingChecksum& operator=(const StreamingChecksum&) = delete;

  void Update(const void* data, size_t length);
  uint64_t Digest() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace quiver
