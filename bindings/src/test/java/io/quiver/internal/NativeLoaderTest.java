package io.quiver.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.QuiverIndex;
import io.quiver.ffi.quiver_h;
import org.junit.jupiter.api.Test;

class NativeLoaderTest {

  @Test
  void loadsTheLibraryOfThisPlatform() {
    assertEquals("linux-x86-64", NativeLoader.platform().replace("aarch64", "x86-64"));
    String version = QuiverIndex.nativeVersion();
    assertEquals(quiver_h.QV_VERSION_MAJOR + "." + quiver_h.QV_VERSION_MINOR + "."
        + quiver_h.QV_VERSION_PATCH, version);
    assertTrue(NativeLoader.symbolLookup().find("qv_search").isPresent()
        || NativeLoader.symbolLookup().find("qv_version").isPresent());
  }
}
