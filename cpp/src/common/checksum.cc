#include "common/checksum.h"

// Header-only (inlined), so nothing is linked; Arrow's internal copy of the
// same library is not part of its public headers.
#define XXH_INLINE_ALL
#include <xxhash.h>

namespace quiver {

uint64_t Checksum(const void* data, size_t length, uint64_t seed) {
  return XXH3_64bits_withSeed(data, length, seed);
}

struct StreamingChecksum::State {
  XXH3_state_t xxh;
};

StreamingChecksum::StreamingChecksum() : state_(std::make_unique<State>()) {
  XXH3_64bits_reset(&state_->xxh);
}
StreamingChecksum::~StreamingChecksum() = default;

void StreamingChecksum::Update(const void* data, size_t length) {
  XXH3_64bits_update(&state_->xxh, data, length);
}

uint64_t StreamingChecksum::Digest() const { return XXH3_64bits_digest(&state_->xxh); }

}  // namespace quiver
