package io.quiver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quiver.ffi.quiver_h;
import org.junit.jupiter.api.Test;

/** The defaults are quiver.h's: the Java side reads its macros rather than repeating the values. */
class DefaultsTest {

  @Test
  void searchParamsDefaultsAreTheHeaders() {
    SearchParams d = SearchParams.defaults();
    assertEquals(quiver_h.QV_DEFAULT_NPROBES, d.nprobes());
    assertEquals(quiver_h.QV_DEFAULT_REFINE_FACTOR, d.refineFactor());
    // The I/O settings are left to the library, which picks QV_DEFAULT_IO_* or
    // QV_DEFAULT_REMOTE_IO_* by where the files are.
    assertEquals(SearchParams.AUTOMATIC, d.ioGapBytes());
    assertEquals(SearchParams.AUTOMATIC, d.ioConcurrency());
    assertEquals(65536, quiver_h.QV_DEFAULT_IO_GAP_BYTES);
    assertEquals(4L << 20, quiver_h.QV_DEFAULT_REMOTE_IO_GAP_BYTES);
    assertEquals(0, d.threads());
    assertEquals(SearchParams.DEFAULT_NPROBES, d.nprobes());
    assertEquals(SearchParams.DEFAULT_REFINE_FACTOR, d.refineFactor());
  }
}
