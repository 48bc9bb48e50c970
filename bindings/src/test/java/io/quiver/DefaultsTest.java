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
    assertEquals(quiver_h.QV_DEFAULT_IO_GAP_BYTES, d.ioGapBytes());
    assertEquals(quiver_h.QV_DEFAULT_IO_CONCURRENCY, d.ioConcurrency());
    assertEquals(0, d.threads());
    assertEquals(SearchParams.DEFAULT_NPROBES, d.nprobes());
    assertEquals(SearchParams.DEFAULT_REFINE_FACTOR, d.refineFactor());
  }
}
