package io.quiver;

import io.quiver.ffi.quiver_h;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.util.Collection;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Deleted rows: a set of row keys that searches never return. Rows are excluded before the top-k
 * selection, so a search still returns k live rows when there are that many.
 *
 * <p>A filter holds native memory: close it when done. It can be shared by many searches and
 * handles at once; closing it waits for the searches using it, and later use throws
 * IllegalStateException. Pass it to searches through {@link SearchParams.Builder#filter} or set
 * it as a handle's default with {@link QuiverIndex#setRowFilter}.
 */
public final class RowFilter implements AutoCloseable {

  private static final Cleaner CLEANER = Cleaner.create();

  private final MemorySegment filter;
  private final long size;
  private final UseGuard guard = new UseGuard("row filter");
  private final Cleaner.Cleanable cleanable;

  private RowFilter(long[] keys) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment keySegment = arena.allocateFrom(JAVA_LONG, keys);
      MemorySegment out = arena.allocate(ADDRESS);
      NativeErrors.check(quiver_h.qv_row_filter_create(keySegment, keys.length, out));
      filter = out.get(ADDRESS, 0);
    }
    size = keys.length;
    long address = filter.address();
    cleanable = CLEANER.register(this,
        () -> quiver_h.qv_row_filter_destroy(MemorySegment.ofAddress(address)));
  }

  /** A filter of packed row keys ({@link RowKey#pack()}); order and duplicates do not matter. */
  public static RowFilter of(long... keys) {
    return new RowFilter(keys.clone());
  }

  /** A filter of row keys; order and duplicates do not matter. */
  public static RowFilter of(Collection<RowKey> keys) {
    long[] packed = new long[keys.size()];
    int i = 0;
    for (RowKey k : keys) packed[i++] = k.pack();
    return new RowFilter(packed);
  }

  /** The number of keys given, duplicates included. */
  public long size() {
    return size;
  }

  /** Registers a search using the filter; returns the native pointer. */
  MemorySegment acquire() {
    guard.acquire();
    return filter;
  }

  void release() {
    guard.release();
  }

  /** Frees the filter, after waiting for the searches using it. Idempotent. */
  @Override
  public void close() {
    if (guard.close()) cleanable.clean();
  }

  @Override
  public String toString() {
    return "RowFilter{" + size + " keys" + (guard.isClosed() ? ", closed}" : "}");
  }
}
