package io.quiver.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Asks the C library directly what the JDK's library loading does not report: the dynamic
 * linker's reason for refusing a library (dlerror), and the glibc version of this system.
 * Only used to explain a failure, so every step may fail and yield null.
 */
final class DynamicLinker {
  private static final int RTLD_NOW = 2;
  private static final long MAX_MESSAGE = 64 * 1024;
  private static final Linker LINKER = Linker.nativeLinker();
  private static final SymbolLookup LIBC = LINKER.defaultLookup();

  private DynamicLinker() {}

  /** The dynamic linker's message for {@code library}, or null when it loads now or cannot be asked. */
  static String whyNotLoadable(Path library) {
    try {
      Optional<MemorySegment> open = LIBC.find("dlopen");
      Optional<MemorySegment> error = LIBC.find("dlerror");
      if (open.isEmpty() || error.isEmpty()) {
        return null;
      }
      MethodHandle dlopen = LINKER.downcallHandle(open.get(), FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
      MethodHandle dlerror = LINKER.downcallHandle(error.get(), FunctionDescriptor.of(ADDRESS));
      try (Arena arena = Arena.ofConfined()) {
        MemorySegment handle = (MemorySegment) dlopen.invokeExact(arena.allocateFrom(library.toString()), RTLD_NOW);
        return handle.equals(MemorySegment.NULL) ? string((MemorySegment) dlerror.invokeExact()) : null;
      }
    } catch (Throwable t) {
      return null;
    }
  }

  /** gnu_get_libc_version(), e.g. "2.36"; null on a C library that is not glibc. */
  static String glibcVersion() {
    try {
      Optional<MemorySegment> f = LIBC.find("gnu_get_libc_version");
      if (f.isEmpty()) {
        return null;
      }
      MethodHandle version = LINKER.downcallHandle(f.get(), FunctionDescriptor.of(ADDRESS));
      return string((MemorySegment) version.invokeExact());
    } catch (Throwable t) {
      return null;
    }
  }

  /** qv_abi_version() of a loaded library, or -1 when it has none. */
  static long abiVersion(SymbolLookup library) {
    Optional<MemorySegment> f = library.find("qv_abi_version");
    if (f.isEmpty()) {
      return -1;
    }
    try {
      MethodHandle h = LINKER.downcallHandle(f.get(), FunctionDescriptor.of(JAVA_INT));
      return Integer.toUnsignedLong((int) h.invokeExact());
    } catch (Throwable t) {
      throw new IllegalStateException("calling qv_abi_version failed", t);
    }
  }

  /** A C string the C library returned (static or thread-local storage), or null for NULL. */
  private static String string(MemorySegment s) {
    return s.equals(MemorySegment.NULL) ? null : s.reinterpret(MAX_MESSAGE).getString(0);
  }
}
