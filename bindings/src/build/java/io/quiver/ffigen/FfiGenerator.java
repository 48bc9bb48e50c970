package io.quiver.ffigen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Generates the package io.quiver.ffi from a C header, in the shape jextract gives: one header
 * class of static methods over lazily bound downcall handles plus the header's integer macros,
 * one class per struct (layout, offsets, accessors) and one class per function-pointer type
 * (descriptor, upcall stub allocation, invoker).
 *
 * <p>jextract is not packaged for this platform, so the header is read the way jextract reads it:
 * through clang. Declarations come from {@code clang -Xclang -ast-dump=json}; macros are not in
 * the AST, so the object-like macros defined by the header are evaluated by compiling a small C++
 * probe and reading the constant values clang computed.
 *
 * <p>Usage: {@code java FfiGenerator.java <header.h> <output source dir>}. Files are rewritten only
 * when their content changes so that an unchanged header does not force recompilation.
 */
public final class FfiGenerator {

  /** The package of the generated classes. */
  public static final String PACKAGE = "io.quiver.ffi";

  /** The expression giving the generated code its SymbolLookup (jextract's --library). */
  public static final String SYMBOL_LOOKUP = "io.quiver.internal.NativeLoader.symbolLookup()";

  private final Path header;
  private final String headerClass;
  private final Map<String, String> typedefs = new HashMap<>();
  private final Map<String, Struct> structs = new LinkedHashMap<>();
  private final List<Function> functions = new ArrayList<>();
  private final Map<String, Signature> callbackTypedefs = new LinkedHashMap<>();
  private final Map<String, Constant> constants = new LinkedHashMap<>();
  private String currentFile = "";

  record Param(String name, String cType, String docType) {}

  record Function(String name, String returnType, List<Param> params) {}

  record Signature(String returnType, List<String> paramTypes) {}

  record Field(String name, String cType, String docType, long offset) {}

  record Struct(String name, List<Field> fields, long size, long align) {}

  record Constant(String name, String javaType, String literal) {}

  /** A C scalar type as the FFM API sees it. */
  record Scalar(String layout, String carrier, long size) {}

  private FfiGenerator(Path header) {
    this.header = header.toAbsolutePath().normalize();
    String file = this.header.getFileName().toString();
    this.headerClass = file.substring(0, file.lastIndexOf('.')).replaceAll("\\W", "_") + "_h";
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: FfiGenerator <header.h> <output source dir>");
      System.exit(2);
    }
    Map<String, String> files = generate(Path.of(args[0]));
    Path outDir = Path.of(args[1]).resolve(PACKAGE.replace('.', '/'));
    Files.createDirectories(outDir);
    try (var old = Files.list(outDir)) {
      for (Path p : old.toList()) {
        if (!files.containsKey(p.getFileName().toString())) Files.delete(p);
      }
    }
    for (var e : files.entrySet()) {
      Path p = outDir.resolve(e.getKey());
      byte[] bytes = e.getValue().getBytes(StandardCharsets.UTF_8);
      if (!Files.exists(p) || !java.util.Arrays.equals(Files.readAllBytes(p), bytes)) {
        Files.write(p, bytes);
      }
    }
  }

  /** Generates the sources for {@code header}: file name to content. */
  public static Map<String, String> generate(Path header) throws IOException, InterruptedException {
    FfiGenerator g = new FfiGenerator(header);
    g.readDeclarations();
    g.readConstants();
    Map<String, String> out = new TreeMap<>();
    out.put(g.headerClass + ".java", g.emitHeaderClass());
    for (Struct s : g.structs.values()) out.put(s.name() + ".java", g.emitStruct(s));
    for (var e : g.callbackTypedefs.entrySet()) {
      out.put(e.getKey() + ".java", g.emitCallbackClass(e.getKey(), e.getValue(), "public final class", ""));
    }
    return out;
  }

  // ---------------------------------------------------------------- reading the AST

  private void readDeclarations() throws IOException, InterruptedException {
    String json = run(List.of("clang", "-x", "c", "-Xclang", "-ast-dump=json", "-fsyntax-only",
        header.toString()));
    JsonNode root = new ObjectMapper().readTree(json);
    for (JsonNode decl : root.path("inner")) {
      String file = declarationFile(decl);
      String kind = decl.path("kind").asText();
      String name = decl.path("name").asText("");
      if (kind.equals("TypedefDecl")) {
        typedefs.put(name, typeOf(decl));
      }
      if (!Path.of(file.isEmpty() ? "." : file).toAbsolutePath().normalize().equals(header)) continue;
      switch (kind) {
        case "FunctionDecl" -> readFunction(decl);
        case "RecordDecl" -> {
          if (decl.path("completeDefinition").asBoolean(false)) readStruct(decl);
        }
        case "TypedefDecl" -> {
          String t = typeOf(decl);
          if (isFunctionPointer(t)) callbackTypedefs.put(name, signatureOf(t));
        }
        default -> { }
      }
    }
  }

  /**
   * clang's JSON writes a location's file only when it differs from the previous location
   * written, so the file of a declaration is known only by walking the dump in order.
   */
  private String declarationFile(JsonNode decl) {
    JsonNode loc = decl.path("loc");
    track(loc.path("spellingLoc"));
    JsonNode main = loc.has("expansionLoc") ? loc.path("expansionLoc") : loc;
    track(main);
    String file = currentFile;
    for (var it = decl.fields(); it.hasNext(); ) {
      var e = it.next();
      if (!e.getKey().equals("loc")) track(e.getValue());
    }
    return file;
  }

  private void track(JsonNode node) {
    if (node.isObject()) {
      for (var it = node.fields(); it.hasNext(); ) {
        var e = it.next();
        if (e.getKey().equals("includedFrom")) continue;
        if (e.getKey().equals("file") && e.getValue().isTextual()) currentFile = e.getValue().asText();
        else track(e.getValue());
      }
    } else if (node.isArray()) {
      for (JsonNode n : node) track(n);
    }
  }

  private static String typeOf(JsonNode node) {
    JsonNode t = node.path("type");
    return t.has("desugaredQualType") ? t.path("desugaredQualType").asText() : t.path("qualType").asText();
  }

  private void readFunction(JsonNode decl) {
    String type = decl.path("type").path("qualType").asText();
    if (type.contains("...")) throw new IllegalStateException("variadic function not supported: " + decl);
    String returnType = type.substring(0, type.indexOf('(')).trim();
    List<Param> params = new ArrayList<>();
    for (JsonNode p : decl.path("inner")) {
      if (p.path("kind").asText().equals("ParmVarDecl")) {
        String pname = p.path("name").asText("x" + params.size());
        params.add(new Param(pname, typeOf(p), p.path("type").path("qualType").asText()));
      }
    }
    functions.add(new Function(decl.path("name").asText(), returnType, params));
  }

  private void readStruct(JsonNode decl) {
    String name = decl.path("name").asText();
    if (!decl.path("tagUsed").asText().equals("struct") || name.isEmpty()) {
      throw new IllegalStateException("only named structs are supported: " + decl);
    }
    List<Field> fields = new ArrayList<>();
    long offset = 0;
    long align = 1;
    for (JsonNode f : decl.path("inner")) {
      if (!f.path("kind").asText().equals("FieldDecl")) continue;
      String cType = typeOf(f);
      long[] sa = sizeAndAlign(cType);
      offset = (offset + sa[1] - 1) / sa[1] * sa[1];
      fields.add(new Field(f.path("name").asText(), cType, f.path("type").path("qualType").asText(), offset));
      offset += sa[0];
      align = Math.max(align, sa[1]);
    }
    long size = (offset + align - 1) / align * align;
    structs.put(name, new Struct(name, fields, size, align));
  }

  // ---------------------------------------------------------------- macros

  private static final Pattern DEFINE =
      Pattern.compile("^\\s*#\\s*define\\s+([A-Za-z_]\\w*)(?!\\()(.*)$");
  private static final Pattern PROBE_ERROR = Pattern.compile("probe\\.cc:(\\d+):\\d+: error");

  private void readConstants() throws IOException, InterruptedException {
    // Object-like macros defined by the header itself, with their values as the preprocessor
    // sees them (empty ones are include guards and feature switches).
    Set<String> names = new LinkedHashSet<>();
    for (String line : Files.readAllLines(header)) {
      Matcher m = DEFINE.matcher(line);
      if (m.matches()) names.add(m.group(1));
    }
    Map<String, String> defined = new HashMap<>();
    for (String line : run(List.of("clang", "-x", "c", "-dM", "-E", header.toString())).split("\n")) {
      String[] parts = line.split("\\s+", 3);
      if (parts.length == 3 && parts[0].equals("#define")) defined.put(parts[1], parts[2].trim());
    }
    names.removeIf(n -> defined.getOrDefault(n, "").isEmpty());

    // clang evaluates each candidate as a constant expression; those that are not one (an
    // attribute, a string) fail to compile and are dropped, then the rest is evaluated again.
    Path dir = Files.createTempDirectory("ffigen");
    try {
      Path probe = dir.resolve("probe.cc");
      List<String> candidates = new ArrayList<>(names);
      while (true) {
        StringBuilder src = new StringBuilder("#include \"" + header + "\"\n");
        for (String n : candidates) {
          src.append("constexpr auto qv_probe_type_").append(n).append(" = (").append(n)
              .append("); enum : unsigned long long { qv_probe_value_").append(n)
              .append(" = (unsigned long long)(").append(n).append(") };\n");
        }
        Files.writeString(probe, src);
        Process p = new ProcessBuilder("clang", "-x", "c++", "-std=c++17", "-ferror-limit=0",
            "-Xclang", "-ast-dump=json", "-fsyntax-only", probe.toString())
            .redirectError(ProcessBuilder.Redirect.PIPE).start();
        var stdout = p.getInputStream().readAllBytes();
        String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() == 0) {
          readProbe(new ObjectMapper().readTree(stdout), candidates);
          break;
        }
        Set<String> failed = new LinkedHashSet<>();
        Matcher m = PROBE_ERROR.matcher(stderr);
        while (m.find()) {
          int line = Integer.parseInt(m.group(1));
          if (line >= 2 && line - 2 < candidates.size()) failed.add(candidates.get(line - 2));
        }
        if (failed.isEmpty()) throw new IllegalStateException("macro probe failed:\n" + stderr);
        candidates.removeAll(failed);
      }
    } finally {
      try (var files = Files.list(dir)) {
        for (Path f : files.toList()) Files.delete(f);
      }
      Files.delete(dir);
    }
  }

  private void readProbe(JsonNode root, List<String> candidates) {
    Map<String, String> types = new HashMap<>();
    Map<String, String> values = new HashMap<>();
    for (JsonNode decl : root.path("inner")) {
      String kind = decl.path("kind").asText();
      if (kind.equals("VarDecl") && decl.path("name").asText().startsWith("qv_probe_type_")) {
        types.put(decl.path("name").asText().substring("qv_probe_type_".length()), typeOf(decl));
      } else if (kind.equals("EnumDecl")) {
        for (JsonNode c : decl.path("inner")) {
          String n = c.path("name").asText();
          if (n.startsWith("qv_probe_value_")) {
            values.put(n.substring("qv_probe_value_".length()), c.path("inner").get(0).path("value").asText());
          }
        }
      }
    }
    for (String n : candidates) {
      String cType = types.get(n).replace("const ", "").trim();
      if (cType.equals("float") || cType.equals("double")) continue;
      Scalar s = scalar(cType);
      long bits = Long.parseUnsignedLong(values.get(n));
      String literal = switch (s.carrier()) {
        case "byte" -> "(byte) " + (byte) bits;
        case "short" -> "(short) " + (short) bits;
        case "int" -> Integer.toString((int) bits);
        case "long" -> bits + "L";
        case "boolean" -> Boolean.toString(bits != 0);
        default -> throw new IllegalStateException("macro " + n + " of type " + cType);
      };
      constants.put(n, new Constant(n, s.carrier(), literal));
    }
  }

  // ---------------------------------------------------------------- C types

  private String resolve(String cType) {
    String t = cType.replace("const ", "").replace("volatile ", "").trim();
    if (t.endsWith(" const")) t = t.substring(0, t.length() - 6).trim();
    int guard = 0;
    while (typedefs.containsKey(t) && guard++ < 32) t = resolve(typedefs.get(t));
    return t;
  }

  private static boolean isPointer(String resolved) {
    return resolved.endsWith("*") || resolved.contains("(*)");
  }

  private boolean isFunctionPointer(String cType) {
    return resolve(cType).contains("(*)");
  }

  private Signature signatureOf(String cType) {
    String t = resolve(cType);
    int star = t.indexOf("(*)");
    String ret = t.substring(0, star).trim();
    String args = t.substring(star + 3).trim();
    args = args.substring(1, args.length() - 1).trim();
    List<String> params = new ArrayList<>();
    if (!args.isEmpty() && !args.equals("void")) {
      for (String a : args.split(",")) params.add(a.trim());
    }
    return new Signature(ret, params);
  }

  private static Scalar scalar(String resolved) {
    return switch (resolved) {
      case "_Bool", "bool" -> new Scalar("C_BOOL", "boolean", 1);
      case "char", "signed char", "unsigned char" -> new Scalar("C_CHAR", "byte", 1);
      case "short", "unsigned short" -> new Scalar("C_SHORT", "short", 2);
      case "int", "unsigned int" -> new Scalar("C_INT", "int", 4);
      case "long", "unsigned long" -> new Scalar("C_LONG", "long", 8);
      case "long long", "unsigned long long" -> new Scalar("C_LONG_LONG", "long", 8);
      case "float" -> new Scalar("C_FLOAT", "float", 4);
      case "double" -> new Scalar("C_DOUBLE", "double", 8);
      default -> throw new IllegalStateException("unsupported C type: " + resolved);
    };
  }

  /** The FFM layout and Java carrier of a C type used by value. */
  private Scalar value(String cType) {
    String t = resolve(cType);
    if (isPointer(t)) return new Scalar("C_POINTER", "MemorySegment", 8);
    if (t.startsWith("struct ")) {
      Struct s = structs.get(t.substring(7).trim());
      if (s == null) throw new IllegalStateException("struct by value before its definition: " + t);
      return new Scalar(s.name() + ".layout()", "MemorySegment", s.size());
    }
    return scalar(t);
  }

  private long[] sizeAndAlign(String cType) {
    String t = resolve(cType);
    if (t.startsWith("struct ") && !isPointer(t)) {
      Struct s = structs.get(t.substring(7).trim());
      return new long[] {s.size(), s.align()};
    }
    if (t.contains("[")) throw new IllegalStateException("array fields are not supported: " + t);
    long size = value(t).size();
    return new long[] {size, size};
  }

  // ---------------------------------------------------------------- emitting

  private String preamble() {
    return "// Generated by io.quiver.ffigen.FfiGenerator from " + header.getFileName()
        + ". Do not edit.\npackage " + PACKAGE + ";\n\n"
        + "import java.lang.foreign.*;\nimport java.lang.invoke.*;\n"
        + "import static java.lang.foreign.ValueLayout.*;\n\n";
  }

  private String descriptor(String returnType, List<String> paramTypes) {
    List<String> layouts = new ArrayList<>();
    for (String p : paramTypes) layouts.add(value(p).layout());
    boolean isVoid = resolve(returnType).equals("void");
    if (isVoid) return "FunctionDescriptor.ofVoid(" + String.join(", ", layouts) + ")";
    layouts.addFirst(value(returnType).layout());
    return "FunctionDescriptor.of(" + String.join(", ", layouts) + ")";
  }

  private String javaReturn(String returnType) {
    return resolve(returnType).equals("void") ? "void" : value(returnType).carrier();
  }

  private String emitHeaderClass() {
    StringBuilder b = new StringBuilder(preamble());
    b.append("/** The functions and constants of ").append(header.getFileName()).append(". */\n");
    b.append("public final class ").append(headerClass).append(" {\n\n");
    b.append("  private ").append(headerClass).append("() {}\n\n");
    b.append("""
          public static final ValueLayout.OfBoolean C_BOOL = JAVA_BOOLEAN;
          public static final ValueLayout.OfByte C_CHAR = JAVA_BYTE;
          public static final ValueLayout.OfShort C_SHORT = JAVA_SHORT;
          public static final ValueLayout.OfInt C_INT = JAVA_INT;
          public static final ValueLayout.OfLong C_LONG = JAVA_LONG;
          public static final ValueLayout.OfLong C_LONG_LONG = JAVA_LONG;
          public static final ValueLayout.OfFloat C_FLOAT = JAVA_FLOAT;
          public static final ValueLayout.OfDouble C_DOUBLE = JAVA_DOUBLE;
          public static final AddressLayout C_POINTER =
              ADDRESS.withTargetLayout(MemoryLayout.sequenceLayout(Long.MAX_VALUE, JAVA_BYTE));

          /** Symbols are looked up on first use of each function. */
          private static final class Lib {
            static final SymbolLookup SYMBOL_LOOKUP = %s;
          }

          static MemorySegment findOrThrow(String symbol) {
            return Lib.SYMBOL_LOOKUP.find(symbol)
                .orElseThrow(() -> new UnsatisfiedLinkError("unresolved symbol: " + symbol));
          }

          static MethodHandle upcallHandle(Class<?> fi, String name, FunctionDescriptor fdesc) {
            try {
              return MethodHandles.lookup().findVirtual(fi, name, fdesc.toMethodType());
            } catch (ReflectiveOperationException ex) {
              throw new AssertionError(ex);
            }
          }

        """.formatted(SYMBOL_LOOKUP));
    for (Constant c : constants.values()) {
      b.append("  public static final ").append(c.javaType()).append(' ').append(c.name())
          .append(" = ").append(c.literal()).append(";\n");
    }
    b.append('\n');
    for (Function f : functions) {
      List<String> types = f.params().stream().map(Param::cType).toList();
      String ret = javaReturn(f.returnType());
      b.append("  private static final class ").append(f.name()).append(" {\n");
      b.append("    static final FunctionDescriptor DESC = ").append(descriptor(f.returnType(), types)).append(";\n");
      b.append("    static final MemorySegment ADDR = findOrThrow(\"").append(f.name()).append("\");\n");
      b.append("    static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);\n");
      b.append("  }\n\n");
      b.append("  public static FunctionDescriptor ").append(f.name()).append("$descriptor() { return ")
          .append(f.name()).append(".DESC; }\n\n");
      b.append("  public static MethodHandle ").append(f.name()).append("$handle() { return ")
          .append(f.name()).append(".HANDLE; }\n\n");
      b.append("  public static MemorySegment ").append(f.name()).append("$address() { return ")
          .append(f.name()).append(".ADDR; }\n\n");
      List<String> decls = new ArrayList<>();
      List<String> names = new ArrayList<>();
      for (Param p : f.params()) {
        String n = javaName(p.name());
        decls.add(value(p.cType()).carrier() + " " + n);
        names.add(n);
      }
      b.append("  /** {@code ").append(f.returnType()).append(' ').append(f.name()).append('(')
          .append(String.join(", ", f.params().stream().map(p -> p.docType() + " " + p.name()).toList()))
          .append(")} */\n");
      b.append("  public static ").append(ret).append(' ').append(f.name()).append('(')
          .append(String.join(", ", decls)).append(") {\n");
      b.append("    var mh$ = ").append(f.name()).append(".HANDLE;\n");
      b.append("    try {\n      ");
      if (!ret.equals("void")) b.append("return (").append(ret).append(") ");
      b.append("mh$.invokeExact(").append(String.join(", ", names)).append(");\n");
      b.append("    } catch (Error | RuntimeException ex) {\n      throw ex;\n");
      b.append("    } catch (Throwable ex$) {\n      throw new AssertionError(\"should not reach here\", ex$);\n    }\n");
      b.append("  }\n\n");
    }
    b.append("}\n");
    return b.toString();
  }

  private static final Set<String> JAVA_KEYWORDS = Set.of("abstract", "boolean", "byte", "char",
      "class", "default", "double", "final", "float", "int", "long", "native", "new", "package",
      "private", "public", "return", "short", "static", "switch", "this", "throw", "void");

  private static String javaName(String c) {
    return JAVA_KEYWORDS.contains(c) ? c + "_" : c;
  }

  private String emitStruct(Struct s) {
    StringBuilder b = new StringBuilder(preamble());
    b.append("/** {@code struct ").append(s.name()).append("} */\n");
    b.append("public final class ").append(s.name()).append(" {\n\n");
    b.append("  private ").append(s.name()).append("() {}\n\n");
    b.append("  private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(\n");
    List<String> elems = new ArrayList<>();
    long at = 0;
    for (Field f : s.fields()) {
      if (f.offset() > at) elems.add("      MemoryLayout.paddingLayout(" + (f.offset() - at) + ")");
      elems.add("      " + qualify(value(f.cType()).layout()) + ".withName(\"" + f.name() + "\")");
      at = f.offset() + sizeAndAlign(f.cType())[0];
    }
    if (s.size() > at) elems.add("      MemoryLayout.paddingLayout(" + (s.size() - at) + ")");
    b.append(String.join(",\n", elems)).append("\n  ).withName(\"").append(s.name()).append("\");\n\n");
    b.append("  public static GroupLayout layout() { return $LAYOUT; }\n\n");
    b.append("  public static long sizeof() { return $LAYOUT.byteSize(); }\n\n");
    b.append("  public static MemorySegment allocate(SegmentAllocator allocator) { return allocator.allocate($LAYOUT); }\n\n");
    b.append("  public static MemorySegment allocateArray(long elementCount, SegmentAllocator allocator) {\n");
    b.append("    return allocator.allocate(MemoryLayout.sequenceLayout(elementCount, $LAYOUT));\n  }\n\n");
    b.append("  public static MemorySegment reinterpret(MemorySegment addr, Arena arena, java.util.function.Consumer<MemorySegment> cleanup) {\n");
    b.append("    return addr.reinterpret($LAYOUT.byteSize(), arena, cleanup);\n  }\n\n");
    for (Field f : s.fields()) {
      Scalar v = value(f.cType());
      String n = f.name();
      String layoutType = switch (v.layout()) {
        case "C_BOOL" -> "ValueLayout.OfBoolean";
        case "C_CHAR" -> "ValueLayout.OfByte";
        case "C_SHORT" -> "ValueLayout.OfShort";
        case "C_INT" -> "ValueLayout.OfInt";
        case "C_LONG", "C_LONG_LONG" -> "ValueLayout.OfLong";
        case "C_FLOAT" -> "ValueLayout.OfFloat";
        case "C_DOUBLE" -> "ValueLayout.OfDouble";
        case "C_POINTER" -> "AddressLayout";
        default -> "GroupLayout";
      };
      b.append("  private static final ").append(layoutType).append(' ').append(n).append("$LAYOUT = (")
          .append(layoutType).append(") $LAYOUT.select(MemoryLayout.PathElement.groupElement(\"")
          .append(n).append("\"));\n");
      b.append("  public static ").append(layoutType).append(' ').append(n).append("$layout() { return ")
          .append(n).append("$LAYOUT; }\n");
      b.append("  private static final long ").append(n).append("$OFFSET = ").append(f.offset()).append(";\n");
      b.append("  public static long ").append(n).append("$offset() { return ").append(n).append("$OFFSET; }\n");
      b.append("  /** {@code ").append(f.docType()).append(' ').append(n).append("} */\n");
      if (layoutType.equals("GroupLayout")) {
        b.append("  public static MemorySegment ").append(n).append("(MemorySegment struct) { return struct.asSlice(")
            .append(n).append("$OFFSET, ").append(n).append("$LAYOUT.byteSize()); }\n");
        b.append("  public static void ").append(n).append("(MemorySegment struct, MemorySegment fieldValue) { MemorySegment.copy(fieldValue, 0L, struct, ")
            .append(n).append("$OFFSET, ").append(n).append("$LAYOUT.byteSize()); }\n\n");
      } else {
        b.append("  public static ").append(v.carrier()).append(' ').append(n).append("(MemorySegment struct) { return struct.get(")
            .append(n).append("$LAYOUT, ").append(n).append("$OFFSET); }\n");
        b.append("  public static void ").append(n).append("(MemorySegment struct, ").append(v.carrier())
            .append(" fieldValue) { struct.set(").append(n).append("$LAYOUT, ").append(n).append("$OFFSET, fieldValue); }\n\n");
      }
      if (isFunctionPointer(f.cType())) {
        b.append(emitCallbackClass(n, signatureOf(f.cType()), "public static final class", "  "));
      }
    }
    b.append("}\n");
    return b.toString();
  }

  private String qualify(String layout) {
    return layout.startsWith("C_") ? headerClass + "." + layout : layout;
  }

  /** A function-pointer type: its descriptor, upcall stubs for Java code, calls through it. */
  private String emitCallbackClass(String name, Signature sig, String declaration, String indent) {
    StringBuilder b = new StringBuilder();
    if (indent.isEmpty()) b.append(preamble());
    String ret = javaReturn(sig.returnType());
    List<String> decls = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < sig.paramTypes().size(); i++) {
      decls.add(value(sig.paramTypes().get(i)).carrier() + " x" + i);
      names.add("x" + i);
    }
    String desc = descriptor(sig.returnType(), sig.paramTypes())
        .replaceAll("\\b(C_[A-Z_]+)\\b", headerClass + ".$1");
    String i = indent;
    b.append(i).append("/** {@code ").append(sig.returnType()).append(" (*)(")
        .append(String.join(", ", sig.paramTypes())).append(")} */\n");
    b.append(i).append(declaration).append(' ').append(name).append(" {\n\n");
    b.append(i).append("  private ").append(name).append("() {}\n\n");
    b.append(i).append("  /** The Java side of an upcall stub. */\n");
    b.append(i).append("  public interface Function {\n");
    b.append(i).append("    ").append(ret).append(" apply(").append(String.join(", ", decls)).append(");\n");
    b.append(i).append("  }\n\n");
    b.append(i).append("  private static final FunctionDescriptor $DESC = ").append(desc).append(";\n\n");
    b.append(i).append("  public static FunctionDescriptor descriptor() { return $DESC; }\n\n");
    b.append(i).append("  private static final MethodHandle UP$MH = ").append(headerClass)
        .append(".upcallHandle(").append(name).append(".Function.class, \"apply\", $DESC);\n\n");
    b.append(i).append("  /** An upcall stub calling {@code fi}, valid as long as {@code arena}. */\n");
    b.append(i).append("  public static MemorySegment allocate(").append(name).append(".Function fi, Arena arena) {\n");
    b.append(i).append("    return Linker.nativeLinker().upcallStub(UP$MH.bindTo(fi), $DESC, arena);\n");
    b.append(i).append("  }\n\n");
    b.append(i).append("  private static final MethodHandle DOWN$MH = Linker.nativeLinker().downcallHandle($DESC);\n\n");
    b.append(i).append("  public static ").append(ret).append(" invoke(MemorySegment funcPtr")
        .append(decls.isEmpty() ? "" : ", " + String.join(", ", decls)).append(") {\n");
    b.append(i).append("    try {\n").append(i).append("      ");
    if (!ret.equals("void")) b.append("return (").append(ret).append(") ");
    b.append("DOWN$MH.invokeExact(funcPtr").append(names.isEmpty() ? "" : ", " + String.join(", ", names)).append(");\n");
    b.append(i).append("    } catch (Error | RuntimeException ex) {\n").append(i).append("      throw ex;\n");
    b.append(i).append("    } catch (Throwable ex$) {\n").append(i)
        .append("      throw new AssertionError(\"should not reach here\", ex$);\n").append(i).append("    }\n");
    b.append(i).append("  }\n").append(i).append("}\n");
    if (!indent.isEmpty()) b.append('\n');
    return b.toString();
  }

  // ---------------------------------------------------------------- processes

  private static String run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int rc = p.waitFor();
    if (rc != 0) throw new IOException(String.join(" ", command) + " failed with exit code " + rc);
    return out;
  }
}
