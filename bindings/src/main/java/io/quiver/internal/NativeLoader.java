package io.quiver.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Finds and loads libquiver.so once per JVM.
 *
 * <p>The system property {@value #LIBRARY_PROPERTY} names a library on disk to load instead of
 * the one in the jar. Otherwise the jar's {@code nativelib/<os>-<arch>/} directory is used: its
 * {@value #MANIFEST} lists libquiver.so and the libraries shipped next to it, which are extracted
 * together into a private temporary directory (deleted when the JVM exits) so that the library's
 * {@code $ORIGIN} run path finds them. A line of that file that starts with {@code #} is a note,
 * not a file: {@code # glibc 2.28} states the oldest C library the platform's files load on.
 */
public final class NativeLoader {

  /** System property naming a libquiver.so on disk to load instead of the jar's. */
  public static final String LIBRARY_PROPERTY = "quiver.native.lib";

  /** Lists the files of one platform's directory in the jar, one name a line. */
  public static final String MANIFEST = "files.txt";

  static final String LIBRARY_NAME = "libquiver.so";

  private static SymbolLookup lookup;

  private NativeLoader() {}

  /** The symbols of libquiver.so, loading the library on first use. */
  public static synchronized SymbolLookup symbolLookup() {
    if (lookup == null) {
      Path library = locate();
      // The global arena: the library stays loaded for the life of the JVM, since handles and
      // method handles bound to its symbols may live as long.
      try {
        lookup = SymbolLookup.libraryLookup(library, Arena.global());
      } catch (IllegalArgumentException e) {
        // The JDK's message is only "Cannot open library"; the dynamic linker knows why.
        UnsatisfiedLinkError error = new UnsatisfiedLinkError(loadFailure(library));
        error.initCause(e);
        throw error;
      }
      checkAbi(library, lookup);
    }
    return lookup;
  }

  /**
   * The bindings call what their header declares; a library older than that header (one named
   * with -D{@value #LIBRARY_PROPERTY}, say) would fail later on a missing symbol.
   */
  private static void checkAbi(Path library, SymbolLookup symbols) {
    int wanted = io.quiver.ffi.quiver_h.QV_ABI_VERSION;
    long found = DynamicLinker.abiVersion(symbols);
    if (found < wanted) {
      lookup = null;
      throw new UnsatisfiedLinkError("the Quiver native library " + library + " is older than these bindings: "
          + (found < 0 ? "it has no qv_abi_version" : "its ABI version is " + found)
          + ", the bindings need " + wanted + " or newer");
    }
  }

  /** Set by {@link #locate()} from the jar's files.txt: the oldest glibc the files load on. */
  private static String requiredGlibc;

  /** What went wrong loading {@code library}, in the dynamic linker's words, and on what system. */
  static String loadFailure(Path library) {
    String why = DynamicLinker.whyNotLoadable(library);
    String glibc = DynamicLinker.glibcVersion();
    StringBuilder m = new StringBuilder("cannot load the Quiver native library ").append(library)
        .append(" (platform ").append(platform()).append("): ")
        .append(why != null ? why : "the dynamic linker gives no reason");
    if (requiredGlibc != null) {
      m.append("; the library for ").append(platform()).append(" needs glibc ").append(requiredGlibc)
          .append(" or newer");
    }
    m.append(", and this system has ").append(glibc != null ? "glibc " + glibc : "no glibc");
    return m.toString();
  }

  /** The platform directory name for this JVM, e.g. {@code linux-x86-64}. */
  public static String platform() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    String osName = os.startsWith("linux") ? "linux"
        : os.startsWith("mac") || os.startsWith("darwin") ? "macos"
        : os.startsWith("windows") ? "windows" : os.replaceAll("\\W", "");
    String archName = switch (arch) {
      case "amd64", "x86_64", "x86-64" -> "x86-64";
      case "aarch64", "arm64" -> "aarch64";
      default -> arch.replaceAll("[^a-z0-9_-]", "");
    };
    return osName + "-" + archName;
  }

  private static Path locate() {
    String configured = System.getProperty(LIBRARY_PROPERTY);
    if (configured != null && !configured.isBlank()) {
      Path p = Path.of(configured).toAbsolutePath();
      if (!Files.isRegularFile(p)) {
        throw new UnsatisfiedLinkError(
            "-D" + LIBRARY_PROPERTY + " names " + p + ", which is not a file");
      }
      return p;
    }
    String platform = platform();
    String dir = "nativelib/" + platform + "/";
    ClassLoader loader = NativeLoader.class.getClassLoader();
    List<String> files = new ArrayList<>();
    try (InputStream in = loader.getResourceAsStream(dir + MANIFEST)) {
      if (in == null) {
        throw new UnsatisfiedLinkError("the Quiver jar has no native library for platform "
            + platform + " (os.name=" + System.getProperty("os.name") + ", os.arch="
            + System.getProperty("os.arch") + "); build one for it, or point -D"
            + LIBRARY_PROPERTY + " at a libquiver.so");
      }
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        String l = line.strip();
        if (l.startsWith("# glibc ")) {
          requiredGlibc = l.substring("# glibc ".length()).strip();
        } else if (!l.isEmpty() && !l.startsWith("#")) {
          files.add(l);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + dir + MANIFEST, e);
    }
    if (!files.contains(LIBRARY_NAME)) {
      throw new UnsatisfiedLinkError(dir + MANIFEST + " does not list " + LIBRARY_NAME);
    }
    try {
      // createTempDirectory makes it readable by its owner only.
      Path target = Files.createTempDirectory("quiver-native-");
      target.toFile().deleteOnExit();
      for (String name : files) {
        Path out = target.resolve(name);
        try (InputStream in = loader.getResourceAsStream(dir + name)) {
          if (in == null) throw new UnsatisfiedLinkError(dir + name + " is listed but missing");
          Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
        }
        out.toFile().deleteOnExit();
      }
      return target.resolve(LIBRARY_NAME);
    } catch (IOException e) {
      throw new UncheckedIOException("extracting the native library for " + platform, e);
    }
  }
}
