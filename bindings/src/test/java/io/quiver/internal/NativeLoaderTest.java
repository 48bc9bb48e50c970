package io.quiver.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.QuiverIndex;
import io.quiver.ffi.quiver_h;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NativeLoaderTest {

  @Test
  void loadsTheLibraryOfThisPlatform() {
    assertTrue(List.of("linux-x86-64", "linux-aarch64").contains(NativeLoader.platform()));
    String header = quiver_h.QV_VERSION_MAJOR + "." + quiver_h.QV_VERSION_MINOR + "." + quiver_h.QV_VERSION_PATCH;
    assertEquals(header, QuiverIndex.nativeVersion());
    // quiver.h holds the version; the Maven project's must be the same release.
    String maven = System.getProperty("quiver.project.version");
    assertEquals(header, maven.replace("-SNAPSHOT", ""), "pom.xml's version against quiver.h's QV_VERSION_*");
  }

  @Test
  void theLibrariesShippedBesideItAreTheOnesLoaded() throws Exception {
    QuiverIndex.nativeVersion();
    String dir = "nativelib/" + NativeLoader.platform() + "/";
    List<String> shipped;
    try (var in = NativeLoader.class.getClassLoader().getResourceAsStream(dir + NativeLoader.MANIFEST)) {
      shipped = List.of(new String(in.readAllBytes(), StandardCharsets.UTF_8).strip().split("\n"))
          .stream().filter(l -> !l.startsWith("#")).toList();
    }
    List<String> maps = java.nio.file.Files.readAllLines(Path.of("/proc/self/maps"));
    Path quiver = maps.stream().filter(l -> l.endsWith("/libquiver.so")).findFirst()
        .map(l -> Path.of(l.substring(l.indexOf('/'))).getParent()).orElseThrow();
    int checked = 0;
    for (String name : shipped) {
      for (String line : maps) {
        if (line.endsWith("/" + name)) {
          assertEquals(quiver, Path.of(line.substring(line.indexOf('/'))).getParent(),
              name + " must be loaded from beside libquiver.so through its $ORIGIN run path");
          checked++;
          break;
        }
      }
    }
    // The linux-x86-64 and linux-aarch64 libraries ship alone (files.txt lists libquiver.so
    // only); a platform built with neighbours has them checked too.
    assertEquals(shipped.size(), checked, "every shipped library is mapped from beside libquiver.so");
  }

  /** Runs QuiverIndex.nativeVersion() in a fresh JVM with extra -D options; returns its output. */
  static String inFreshJvm(String... properties) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--enable-native-access=ALL-UNNAMED"));
    cmd.addAll(List.of(properties));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Probe.class.getName()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    return out;
  }

  /** The entry point of the fresh JVM. */
  public static final class Probe {
    public static void main(String[] args) {
      try {
        System.out.println("version " + QuiverIndex.nativeVersion());
      } catch (Throwable t) {
        for (Throwable e = t; e != null; e = e.getCause()) {
          System.out.println("failed: " + e);
        }
      }
    }
  }

  @Test
  void aPlatformWithoutALibraryIsNamedInTheError() throws Exception {
    String out = inFreshJvm("-Dos.arch=riscv64");
    assertTrue(out.contains("failed:") && out.contains("linux-riscv64"), out);
    assertTrue(out.contains(NativeLoader.LIBRARY_PROPERTY), out);
  }

  @Test
  void aLibraryThatDoesNotLoadIsExplainedByTheDynamicLinker(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    Path notElf = dir.resolve("libquiver.so");
    // Longer than an ELF header, so that the linker reads it and finds no ELF magic.
    java.nio.file.Files.writeString(notElf, "not a shared object\n".repeat(100));
    String out = inFreshJvm("-D" + NativeLoader.LIBRARY_PROPERTY + "=" + notElf);
    // The linker's own reason, the platform, and this system's C library.
    assertTrue(out.contains("failed: java.lang.UnsatisfiedLinkError"), out);
    assertTrue(out.contains("cannot load the Quiver native library " + notElf), out);
    assertTrue(out.contains("invalid ELF header"), out);
    assertTrue(out.contains("platform " + NativeLoader.platform()), out);
    assertTrue(out.contains("this system has glibc " + DynamicLinker.glibcVersion()), out);
    assertTrue(DynamicLinker.glibcVersion().matches("2\\.\\d+"), DynamicLinker.glibcVersion());
  }

  @Test
  void aLibraryOlderThanTheBindingsIsRefusedByName() throws Exception {
    // A real shared object without qv_abi_version stands for a library older than the header.
    Path libz = Path.of("/lib/x86_64-linux-gnu/libz.so.1");
    if (!java.nio.file.Files.exists(libz)) libz = Path.of("/lib/aarch64-linux-gnu/libz.so.1");
    String out = inFreshJvm("-D" + NativeLoader.LIBRARY_PROPERTY + "=" + libz);
    assertTrue(out.contains("is older than these bindings: it has no qv_abi_version, the bindings need "
        + quiver_h.QV_ABI_VERSION), out);
  }

  @Test
  void theSystemPropertyPointsAtALibraryOnDisk() throws Exception {
    String missing = inFreshJvm("-D" + NativeLoader.LIBRARY_PROPERTY + "=/nonexistent/libquiver.so");
    assertTrue(missing.contains("failed:") && missing.contains("/nonexistent/libquiver.so"), missing);

    Path built = Path.of(System.getProperty("user.dir")).resolve("../build-package/cpp/libquiver.so").normalize();
    String ok = inFreshJvm("-D" + NativeLoader.LIBRARY_PROPERTY + "=" + built);
    assertTrue(ok.contains("version " + quiver_h.QV_VERSION_MAJOR + "."), ok);
    assertNotEquals(-1, ok.indexOf("version"));
  }
}
