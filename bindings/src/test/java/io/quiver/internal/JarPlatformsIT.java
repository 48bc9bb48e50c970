package io.quiver.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * The jar carries a native library for every supported platform (the list comes from the build,
 * {@code quiver.jar.platforms}), and every shared object under {@code nativelib/<os>-<arch>/} is
 * a 64-bit little-endian ELF shared object for that machine: an x86-64 file under linux-aarch64
 * would load nowhere. What the libraries may need (DT_NEEDED) is checked for every platform by
 * {@link JarNativeLibrariesIT}. Runs against the packaged jar (integration-test phase).
 */
class JarPlatformsIT {

  /** ELF e_machine of each platform directory the loader knows (NativeLoader.platform()). */
  private static final Map<String, Integer> MACHINES = Map.of(
      "linux-x86-64", 62,  // EM_X86_64
      "linux-aarch64", 183);  // EM_AARCH64

  private static final int ET_DYN = 3;

  @Test
  void everyPlatformIsPresentAndBuiltForItsMachine() throws IOException {
    Path jar = Path.of(System.getProperty("quiver.jar"));
    List<String> expected = List.of(System.getProperty("quiver.jar.platforms", "").split(","));
    Map<String, Map<String, Integer>> machines = new TreeMap<>();
    try (JarFile jf = new JarFile(jar.toFile())) {
      for (JarEntry e : jf.stream().toList()) {
        String[] parts = e.getName().split("/");
        if (parts.length != 3 || !parts[0].equals("nativelib") || !parts[2].contains(".so")) continue;
        try (var in = jf.getInputStream(e)) {
          machines.computeIfAbsent(parts[1], p -> new TreeMap<>()).put(parts[2], machine(in.readAllBytes()));
        }
      }
    }
    assertEquals(new TreeSet<>(expected), machines.keySet(), "platforms in " + jar);
    List<String> problems = new ArrayList<>();
    for (var platform : machines.entrySet()) {
      Integer want = MACHINES.get(platform.getKey());
      if (want == null) {
        problems.add("unknown platform directory " + platform.getKey());
        continue;
      }
      if (!platform.getValue().containsKey(NativeLoader.LIBRARY_NAME)) {
        problems.add(platform.getKey() + " has no " + NativeLoader.LIBRARY_NAME);
      }
      platform.getValue().forEach((name, got) -> {
        if (!got.equals(want)) {
          problems.add(platform.getKey() + "/" + name + " is built for e_machine " + got + ", not " + want);
        }
      });
    }
    assertEquals(List.of(), problems);
  }

  @Test
  void readsTheMachineOfARealLibrary() throws IOException {
    Path libz = Path.of("/usr/lib/x86_64-linux-gnu/libz.so.1");
    int want = MACHINES.get("linux-x86-64");
    if (!Files.exists(libz)) {
      libz = Path.of("/usr/lib/aarch64-linux-gnu/libz.so.1");
      want = MACHINES.get("linux-aarch64");
    }
    assertEquals(want, machine(Files.readAllBytes(libz)));
  }

  /** e_machine of a 64-bit little-endian ELF shared object; anything else is refused. */
  static int machine(byte[] elf) {
    ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
    assertTrue(elf.length >= 64 && b.getInt(0) == 0x464c457f, "not an ELF file");
    assertTrue(b.get(4) == 2 && b.get(5) == 1, "not 64-bit little-endian ELF");
    assertEquals(ET_DYN, Short.toUnsignedInt(b.getShort(0x10)), "not a shared object");
    return Short.toUnsignedInt(b.getShort(0x12));
  }
}
