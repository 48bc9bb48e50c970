package io.quiver;

/**
 * One row of one source file: the file's ordinal in the index manifest and the row number within
 * that file. Packed into a {@code long} exactly as the C ABI's {@code QV_ROW_KEY} does: the file
 * ordinal in the high 32 bits, the row in the low 32 bits.
 *
 * @param file the file's ordinal, 0 to 2^31 - 1
 * @param row the row within the file, 0 to 2^32 - 1
 */
public record RowKey(int file, long row) implements Comparable<RowKey> {

  /** The packed value that marks an empty result slot ({@code QV_NO_ROW}). */
  public static final long NO_ROW = -1L;

  public RowKey {
    if (file < 0) throw new IllegalArgumentException("file ordinal must be >= 0: " + file);
    if (row < 0 || row > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("row must be in [0, 2^32): " + row);
    }
  }

  /** This key packed into a long. */
  public long pack() {
    return pack(file, row);
  }

  /** {@code QV_ROW_KEY(file, row)}. */
  public static long pack(int file, long row) {
    return ((long) file << 32) | (row & 0xFFFF_FFFFL);
  }

  /** The key packed in {@code key}. */
  public static RowKey unpack(long key) {
    if (key == NO_ROW) throw new IllegalArgumentException("QV_NO_ROW is not a row key");
    return new RowKey(file(key), row(key));
  }

  /** {@code QV_ROW_KEY_FILE(key)}. */
  public static int file(long key) {
    return (int) (key >>> 32);
  }

  /** {@code QV_ROW_KEY_ROW(key)}. */
  public static long row(long key) {
    return key & 0xFFFF_FFFFL;
  }

  @Override
  public int compareTo(RowKey o) {
    return Long.compareUnsigned(pack(), o.pack());
  }
}
