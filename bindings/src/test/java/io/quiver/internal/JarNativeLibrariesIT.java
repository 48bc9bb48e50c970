package io.quiver.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * The jar is self-contained: every library a native library in it needs (DT_NEEDED) is either in
 * the jar beside it or part of the C library, and each finds its neighbours through an $ORIGIN run
 * path; none needs a glibc newer than 2.28. Runs against the packaged jar (integration-test phase).
 */
class JarNativeLibrariesIT {

  /** The shared objects of glibc itself, which the jar may assume on any Linux system. */
  private static final Set<String> GLIBC = Set.of("libc.so.6", "libm.so.6", "libpthread.so.0",
      "libdl.so.2", "librt.so.1", "libresolv.so.2", "libutil.so.1", "libanl.so.1", "libmvec.so.1",
      "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1");

  /** The newest glibc the jar's libraries may require. */
  private static final String MAX_GLIBC = "2.28";

  private static final int SHT_DYNAMIC = 6;
  private static final long DT_NULL = 0;
  private static final long DT_NEEDED = 1;
  private static final long DT_RPATH = 15;
  private static final long DT_RUNPATH = 29;

  private static final int SHT_GNU_VERNEED = 0x6ffffffe;

  record Dynamic(List<String> needed, List<String> runPaths, List<String> glibcVersions) {}

  @Test
  void everyNeededLibraryIsInTheJarOrGlibc() throws IOException {
    Path jar = Path.of(System.getProperty("quiver.jar"));
    assertTrue(Files.isRegularFile(jar), "packaged jar " + jar);
    Map<String, Map<String, byte[]>> platforms = new HashMap<>();
    try (JarFile jf = new JarFile(jar.toFile())) {
      for (JarEntry e : jf.stream().toList()) {
        String[] parts = e.getName().split("/");
        if (parts.length == 3 && parts[0].equals("nativelib") && !e.isDirectory()) {
          try (var in = jf.getInputStream(e)) {
            platforms.computeIfAbsent(parts[1], p -> new HashMap<>()).put(parts[2], in.readAllBytes());
          }
        }
      }
    }
    assertTrue(platforms.containsKey("linux-x86-64"), "the jar carries linux-x86-64: " + platforms.keySet());
    for (var platform : platforms.entrySet()) {
      Map<String, byte[]> files = platform.getValue();
      assertTrue(files.containsKey("libquiver.so"), platform.getKey() + " has libquiver.so");
      List<String> lines = List.of(new String(files.get(NativeLoader.MANIFEST), StandardCharsets.UTF_8)
          .strip().split("\n"));
      List<String> listed = lines.stream().filter(l -> !l.startsWith("#")).toList();
      String declaredGlibc = lines.stream().filter(l -> l.startsWith("# glibc ")).findFirst()
          .map(l -> l.substring("# glibc ".length())).orElse(null);
      List<String> problems = new ArrayList<>();
      for (var f : files.entrySet()) {
        if (f.getKey().equals(NativeLoader.MANIFEST)) continue;
        if (!listed.contains(f.getKey())) problems.add(f.getKey() + " is not in " + NativeLoader.MANIFEST);
        Dynamic d = dynamicSection(f.getValue());
        for (String needed : d.needed()) {
          if (!GLIBC.contains(needed) && !files.containsKey(needed)) {
            problems.add(platform.getKey() + "/" + f.getKey() + " needs " + needed
                + ", which is neither in the jar nor part of glibc");
          }
        }
        boolean needsNeighbour = d.needed().stream().anyMatch(files::containsKey);
        if (needsNeighbour && !d.runPaths().contains("$ORIGIN")) {
          problems.add(f.getKey() + " needs libraries beside it but its run path is " + d.runPaths());
        }
      }
      String minimumGlibc = files.entrySet().stream()
          .filter(f -> !f.getKey().equals(NativeLoader.MANIFEST))
          .flatMap(f -> dynamicSection(f.getValue()).glibcVersions().stream())
          .max(JarNativeLibrariesIT::compareVersions).orElse("none");
      System.out.println(platform.getKey() + ": the native libraries need glibc " + minimumGlibc);
      if (!minimumGlibc.equals(declaredGlibc)) {
        problems.add(NativeLoader.MANIFEST + " declares glibc " + declaredGlibc + ", the files need " + minimumGlibc);
      }
      // Linked for glibc 2.28 (RHEL 8) and later: ci/build.sh --package checks each build too.
      if (!minimumGlibc.equals("none") && compareVersions(minimumGlibc, MAX_GLIBC) > 0) {
        problems.add(platform.getKey() + " needs glibc " + minimumGlibc + ", newer than " + MAX_GLIBC);
      }
      for (String name : listed) {
        if (!files.containsKey(name)) problems.add(NativeLoader.MANIFEST + " lists missing " + name);
      }
      assertEquals(List.of(), problems);
    }
  }

  @Test
  void readsTheDynamicSectionOfARealLibrary() throws IOException {
    // The parser itself, against a library whose needs are known.
    Path libz = Path.of("/usr/lib/x86_64-linux-gnu/libz.so.1");
    if (!Files.exists(libz)) libz = Path.of("/usr/lib/aarch64-linux-gnu/libz.so.1");
    Dynamic d = dynamicSection(Files.readAllBytes(libz));
    assertTrue(d.needed().contains("libc.so.6"), d.toString());
    assertFalse(d.needed().contains("libquiver.so"));
    assertTrue(d.glibcVersions().contains("2.2.5") || d.glibcVersions().contains("2.17"), d.toString());
  }

  /** DT_NEEDED and DT_RUNPATH/DT_RPATH of a 64-bit little-endian ELF shared object. */
  static Dynamic dynamicSection(byte[] elf) {
    ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
    if (b.getInt(0) != 0x464c457f) throw new IllegalArgumentException("not an ELF file");
    if (b.get(4) != 2 || b.get(5) != 1) throw new IllegalArgumentException("not 64-bit little-endian ELF");
    long shoff = b.getLong(0x28);
    int shentsize = Short.toUnsignedInt(b.getShort(0x3A));
    int shnum = Short.toUnsignedInt(b.getShort(0x3C));
    for (int i = 0; i < shnum; i++) {
      int sh = (int) (shoff + (long) i * shentsize);
      if (b.getInt(sh + 4) != SHT_DYNAMIC) continue;
      int link = b.getInt(sh + 0x28);
      long offset = b.getLong(sh + 0x18);
      long size = b.getLong(sh + 0x20);
      long strtab = b.getLong((int) (shoff + (long) link * shentsize) + 0x18);
      List<String> needed = new ArrayList<>();
      List<String> runPaths = new ArrayList<>();
      for (long at = offset; at + 16 <= offset + size; at += 16) {
        long tag = b.getLong((int) at);
        long val = b.getLong((int) at + 8);
        if (tag == DT_NULL) break;
        if (tag == DT_NEEDED) needed.add(cString(elf, (int) (strtab + val)));
        if (tag == DT_RUNPATH || tag == DT_RPATH) {
          runPaths.addAll(List.of(cString(elf, (int) (strtab + val)).split(":")));
        }
      }
      return new Dynamic(needed, runPaths, glibcVersions(b, elf, shoff, shentsize, shnum));
    }
    throw new IllegalArgumentException("no dynamic section: not a shared object");
  }

  /** The GLIBC_x.y versions named in the version-needs section (.gnu.version_r). */
  private static List<String> glibcVersions(ByteBuffer b, byte[] elf, long shoff, int shentsize, int shnum) {
    List<String> versions = new ArrayList<>();
    for (int i = 0; i < shnum; i++) {
      int sh = (int) (shoff + (long) i * shentsize);
      if (b.getInt(sh + 4) != SHT_GNU_VERNEED) continue;
      long strtab = b.getLong((int) (shoff + (long) b.getInt(sh + 0x28) * shentsize) + 0x18);
      int need = (int) b.getLong(sh + 0x18);
      while (true) {
        int count = Short.toUnsignedInt(b.getShort(need + 2));
        int aux = need + b.getInt(need + 8);
        for (int a = 0; a < count; a++) {
          String name = cString(elf, (int) (strtab + Integer.toUnsignedLong(b.getInt(aux + 8))));
          if (name.startsWith("GLIBC_2")) versions.add(name.substring("GLIBC_".length()));
          aux += b.getInt(aux + 12);
        }
        int next = b.getInt(need + 12);
        if (next == 0) break;
        need += next;
      }
    }
    return versions;
  }

  static int compareVersions(String a, String b) {
    String[] x = a.split("\\.");
    String[] y = b.split("\\.");
    for (int i = 0; i < Math.max(x.length, y.length); i++) {
      int c = Integer.compare(i < x.length ? Integer.parseInt(x[i]) : 0, i < y.length ? Integer.parseInt(y[i]) : 0);
      if (c != 0) return c;
    }
    return 0;
  }

  private static String cString(byte[] bytes, int at) {
    int end = at;
    while (bytes[end] != 0) end++;
    return new String(bytes, at, end - at, StandardCharsets.UTF_8);
  }
}
