package io.quiver.internal;

import io.quiver.FileSource;
import io.quiver.ffi.qv_source_close_fn;
import io.quiver.ffi.qv_source_open_fn;
import io.quiver.ffi.qv_source_read_fn;
import io.quiver.ffi.qv_source_stat_fn;
import io.quiver.ffi.quiver_h;
import java.io.FileNotFoundException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The native file source ({@code qv_file_source}) of a {@link FileSource}: four upcall stubs that
 * the library calls from its own threads. One per FileSource object, kept for the life of the JVM:
 * a native index may call its stubs (to close a file) until the very end of its own life, so they
 * must never be freed before it.
 */
public final class NativeFileSources {

  private static final Map<FileSource, MemorySegment> SOURCES = new ConcurrentHashMap<>();

  private NativeFileSources() {}

  /** The {@code qv_file_source*} of {@code source}, made on first use. */
  public static MemorySegment of(FileSource source) {
    return SOURCES.computeIfAbsent(source, NativeFileSources::create);
  }

  private static MemorySegment create(FileSource source) {
    Upcalls upcalls = new Upcalls(source);
    Arena arena = Arena.global();
    MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
    int status = quiver_h.qv_file_source_create(
        qv_source_stat_fn.allocate(upcalls::stat, arena),
        qv_source_open_fn.allocate(upcalls::open, arena),
        qv_source_read_fn.allocate(upcalls::read, arena),
        qv_source_close_fn.allocate(upcalls::close, arena),
        source.remote() ? 1 : 0, MemorySegment.NULL, out);
    if (status != quiver_h.QV_OK) {
      throw new IllegalStateException("qv_file_source_create failed: "
          + quiver_h.qv_last_error().reinterpret(Long.MAX_VALUE).getString(0));
    }
    return out.get(ValueLayout.ADDRESS, 0);
  }

  /**
   * The Java side of the callbacks. Nothing may unwind into the library: every failure becomes a
   * status and a message written into the caller's buffer.
   */
  private static final class Upcalls {
    private final FileSource source;
    private final Map<Long, FileSource.OpenFile> open = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(1);

    Upcalls(FileSource source) {
      this.source = source;
    }

    int stat(MemorySegment user, MemorySegment path, MemorySegment size, MemorySegment version,
        MemorySegment error, int errorCap) {
      try {
        FileSource.Status st = source.stat(string(path));
        size.reinterpret(8).set(ValueLayout.JAVA_LONG, 0, st.sizeBytes());
        version.reinterpret(8).set(ValueLayout.JAVA_LONG, 0, st.version());
        return quiver_h.QV_OK;
      } catch (Throwable t) {
        return fail(t, error, errorCap);
      }
    }

    int open(MemorySegment user, MemorySegment path, MemorySegment file, MemorySegment size,
        MemorySegment error, int errorCap) {
      try {
        FileSource.OpenFile f = source.open(string(path));
        long id = nextId.getAndIncrement();
        open.put(id, f);
        file.reinterpret(8).set(ValueLayout.ADDRESS, 0, MemorySegment.ofAddress(id));
        size.reinterpret(8).set(ValueLayout.JAVA_LONG, 0, f.size());
        return quiver_h.QV_OK;
      } catch (Throwable t) {
        return fail(t, error, errorCap);
      }
    }

    int read(MemorySegment user, MemorySegment file, int n, MemorySegment offsets,
        MemorySegment lengths, MemorySegment buffers, MemorySegment error, int errorCap) {
      try {
        FileSource.OpenFile f = open.get(file.address());
        if (f == null) throw new IllegalStateException("read of a file that is not open");
        long[] off = offsets.reinterpret(8L * n).toArray(ValueLayout.JAVA_LONG);
        long[] len = lengths.reinterpret(8L * n).toArray(ValueLayout.JAVA_LONG);
        MemorySegment ptrs = buffers.reinterpret(ValueLayout.ADDRESS.byteSize() * n);
        MemorySegment[] into = new MemorySegment[n];
        for (int i = 0; i < n; i++) {
          into[i] = ptrs.getAtIndex(ValueLayout.ADDRESS, i).reinterpret(len[i]);
        }
        f.readRanges(off, len, into);
        return quiver_h.QV_OK;
      } catch (Throwable t) {
        return fail(t, error, errorCap);
      }
    }

    void close(MemorySegment user, MemorySegment file) {
      FileSource.OpenFile f = open.remove(file.address());
      if (f == null) return;
      try {
        f.close();
      } catch (Throwable ignored) {
        // A failed close loses nothing: the file was only read.
      }
    }

    private static String string(MemorySegment cString) {
      return cString.reinterpret(Long.MAX_VALUE).getString(0);
    }

    private static int fail(Throwable t, MemorySegment error, int errorCap) {
      try {
        String message = t.getMessage() != null ? t.getMessage() : t.getClass().getName();
        if (!(t instanceof java.io.IOException)) message = t.getClass().getSimpleName() + ": " + message;
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        int n = Math.max(0, Math.min(bytes.length, errorCap - 1));
        MemorySegment out = error.reinterpret(errorCap);
        MemorySegment.copy(bytes, 0, out, ValueLayout.JAVA_BYTE, 0, n);
        out.set(ValueLayout.JAVA_BYTE, n, (byte) 0);
      } catch (Throwable ignored) {
        // The status alone still says what kind of failure it was.
      }
      return t instanceof FileNotFoundException ? quiver_h.QV_ERR_NOT_FOUND : quiver_h.QV_ERR_IO;
    }
  }
}
