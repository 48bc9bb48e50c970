// The checksum of the index file: 64-bit XXH3 (libxxhash, a stable format),
// fast enough that verifying a posting list costs less than scanning it.
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

namespace quiver {

// A posting list's checksum: its codes, then its row keys.
inline uint64_t ListChecksum(const uint8_t* codes, size_t code_bytes, const uint64_t* keys,
                             size_t n_keys) {
  return Checksum(keys, n_keys * sizeof(uint64_t), Checksum(codes, code_bytes));
}

}  // namespace quiver
