package io.quiver;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Per-thread native buffers for the query and results of a search, so that a search allocates
 * no native memory on the hot path. They grow to the largest request seen and are freed with
 * their thread (an automatic arena).
 */
final class Scratch {

  private static final ThreadLocal<Scratch> PER_THREAD = ThreadLocal.withInitial(Scratch::new);

  private MemorySegment queries = MemorySegment.NULL;
  private MemorySegment keys = MemorySegment.NULL;
  private MemorySegment distances = MemorySegment.NULL;

  static Scratch get() {
    return PER_THREAD.get();
  }

  MemorySegment queries(long floats) {
    if (queries.byteSize() < floats * Float.BYTES) queries = grow(floats * Float.BYTES);
    return queries;
  }

  MemorySegment keys(long n) {
    if (keys.byteSize() < n * Long.BYTES) keys = grow(n * Long.BYTES);
    return keys;
  }

  MemorySegment distances(long n) {
    if (distances.byteSize() < n * Float.BYTES) distances = grow(n * Float.BYTES);
    return distances;
  }

  private static MemorySegment grow(long bytes) {
    long size = Math.max(256, Long.highestOneBit(Math.max(1, bytes - 1)) << 1);
    return Arena.ofAuto().allocate(size, Math.max(JAVA_LONG.byteAlignment(), JAVA_FLOAT.byteAlignment()));
  }
}
