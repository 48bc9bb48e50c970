package io.quiver.ffi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.RowKey;
import io.quiver.ffigen.FfiGenerator;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * io.quiver.ffi must say what quiver.h says, checked against sources independent of the
 * generator: the header's text for the functions, the library's exported symbols, and what a C
 * compiler makes of the header for the struct layouts and constants.
 */
class HeaderAgreementTest {

  private static final Path HEADER = Path.of(System.getProperty("quiver.header"));

  /**
   * Read from the header's text, not through the generator: every function quiver.h declares is
   * a method of the bindings with as many parameters and a symbol the library exports, and the
   * bindings have no qv_ function the header lacks. A header changed without regenerating (or
   * a generator that drops a declaration) fails here.
   */
  @Test
  void everyFunctionOfTheHeaderIsBoundAndExported() throws Exception {
    String header = Files.readString(HEADER, StandardCharsets.UTF_8)
        .replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\n]*", " ");
    Map<String, Integer> declared = new TreeMap<>();
    var m = java.util.regex.Pattern.compile("QV_API\\s+[^;{]*?\\b(qv_\\w+)\\s*\\(([^)]*)\\)\\s*;").matcher(header);
    while (m.find()) {
      String params = m.group(2).strip();
      declared.put(m.group(1), params.isEmpty() || params.equals("void") ? 0 : params.split(",").length);
    }
    assertTrue(declared.size() > 30, "functions found in " + HEADER + ": " + declared.keySet());
    Map<String, Integer> bound = new TreeMap<>();
    for (Method method : quiver_h.class.getMethods()) {
      if (Modifier.isStatic(method.getModifiers()) && method.getName().matches("qv_\\w+")) {
        bound.put(method.getName(), method.getParameterCount());
      }
    }
    assertEquals(declared, bound, "functions of " + HEADER + " (name = parameters) against io.quiver.ffi: rebuild");
    var library = io.quiver.internal.NativeLoader.symbolLookup();
    List<String> notExported = declared.keySet().stream().filter(f -> library.find(f).isEmpty()).toList();
    assertEquals(List.of(), notExported, "declared in quiver.h but not exported by libquiver.so");
  }

  @Test
  void layoutsAndConstantsMatchTheCCompiler(@TempDir Path tmp) throws Exception {
    Map<String, Long> expected = new LinkedHashMap<>();
    StringBuilder c = new StringBuilder("#include <stddef.h>\n#include <stdio.h>\n#include \"")
        .append(HEADER).append("\"\nint main(void) {\n");
    for (String file : FfiGenerator.generate(HEADER).keySet()) {
      Class<?> cls = Class.forName(FfiGenerator.PACKAGE + "." + file.replace(".java", ""));
      Method layoutMethod = findLayout(cls);
      if (layoutMethod == null) continue;
      GroupLayout layout = (GroupLayout) layoutMethod.invoke(null);
      String struct = "struct " + cls.getSimpleName();
      expected.put("sizeof " + struct, layout.byteSize());
      c.append("  printf(\"sizeof ").append(struct).append(" %zu\\n\", sizeof(").append(struct).append("));\n");
      for (MemoryLayout m : layout.memberLayouts()) {
        if (m instanceof PaddingLayout) continue;
        String f = m.name().orElseThrow();
        expected.put("offsetof " + struct + "." + f,
            layout.byteOffset(MemoryLayout.PathElement.groupElement(f)));
        expected.put("sizeof " + struct + "." + f, m.byteSize());
        c.append("  printf(\"offsetof ").append(struct).append('.').append(f)
            .append(" %zu\\n\", offsetof(").append(struct).append(", ").append(f).append("));\n");
        c.append("  printf(\"sizeof ").append(struct).append('.').append(f)
            .append(" %zu\\n\", sizeof(((").append(struct).append("*)0)->").append(f).append("));\n");
      }
    }
    int constants = 0;
    for (Field f : quiver_h.class.getFields()) {
      if (!Modifier.isStatic(f.getModifiers()) || !f.getName().matches("(QV|ARROW)_[A-Z0-9_]+")) continue;
      expected.put(f.getName(), ((Number) f.get(null)).longValue());
      c.append("  printf(\"").append(f.getName()).append(" %lld\\n\", (long long)(")
          .append(f.getName()).append("));\n");
      constants++;
    }
    assertTrue(constants >= 20, "the header's constants are generated");
    // The row-key macros are function-like, so RowKey implements them by hand: check it here.
    long[][] keys = {{0, 0}, {7, 4_000_000_000L}, {Integer.MAX_VALUE, 0xFFFF_FFFFL}, {3, 12345}};
    for (long[] k : keys) {
      String call = "QV_ROW_KEY(" + k[0] + "u, " + k[1] + "u)";
      expected.put(call, RowKey.pack((int) k[0], k[1]));
      c.append("  printf(\"").append(call).append(" %lld\\n\", (long long)").append(call).append(");\n");
      long packed = RowKey.pack((int) k[0], k[1]);
      String file = "QV_ROW_KEY_FILE(" + packed + "ull)";
      String row = "QV_ROW_KEY_ROW(" + packed + "ull)";
      expected.put(file, (long) RowKey.file(packed));
      expected.put(row, RowKey.row(packed));
      c.append("  printf(\"").append(file).append(" %lld\\n\", (long long)").append(file).append(");\n");
      c.append("  printf(\"").append(row).append(" %lld\\n\", (long long)").append(row).append(");\n");
    }
    c.append("  return 0;\n}\n");

    Path src = tmp.resolve("probe.c");
    Path exe = tmp.resolve("probe");
    Files.writeString(src, c);
    run(List.of("clang", "-std=c11", "-Wall", "-Werror", "-o", exe.toString(), src.toString()));
    Map<String, Long> actual = new LinkedHashMap<>();
    for (String line : run(List.of(exe.toString())).split("\n")) {
      int sp = line.lastIndexOf(' ');
      actual.put(line.substring(0, sp), Long.parseLong(line.substring(sp + 1)));
    }
    assertEquals(expected, actual);
  }

  private static Method findLayout(Class<?> cls) {
    try {
      Method m = cls.getMethod("layout");
      return GroupLayout.class.isAssignableFrom(m.getReturnType()) ? m : null;
    } catch (NoSuchMethodException e) {
      return null;
    }
  }

  private static String run(List<String> command) throws Exception {
    Process p = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), String.join(" ", command) + ":\n" + out);
    return out;
  }
}
