# The dependencies of libquiver.so for the jar (QUIVER_STATIC_DEPS=ON): Arrow,
# Parquet, FAISS, OpenBLAS, the compression libraries, utf8proc, OpenSSL's
# libcrypto and the C++ runtime are linked in from their static archives, so
# that the library needs little beyond the C library.
#
# With QUIVER_PORTABLE_DIR (ci/portable-deps.sh makes it; ci/build.sh uses
# it for both platforms of the jar) it needs nothing beyond glibc 2.28: the
# dependencies Debian ships no usable archive of come from that directory as
# PIC archives built from Debian's sources (thrift, bzip2, mimalloc,
# libgomp), and the library is linked against glibc 2.31 (see
# QuiverPortable.cmake).
#
# Without it (a native build on another architecture), what has no usable
# archive stays shared and is shipped next to the library in the jar
# (ci/build.sh --package): libthrift.a and libbz2.a
# are not position-independent, mimalloc has no archive, and OpenBLAS's
# LAPACK needs the Fortran runtime; OpenMP stays libgomp.so, whose
# archive's local-exec TLS cannot go into a shared library.
#
# Sets QUIVER_DEPS, the libraries quiver_engine links against, and
# QUIVER_OPENMP, how it gets OpenMP.

set(_quiver_archives
  parquet arrow faiss openblas
  zstd lz4 snappy brotlienc brotlidec brotlicommon z xxhash
  utf8proc crypto)
set(_quiver_archive_paths "")
foreach(name IN LISTS _quiver_archives)
  find_library(QUIVER_ARCHIVE_${name} NAMES lib${name}.a REQUIRED NO_CACHE)
  list(APPEND _quiver_archive_paths ${QUIVER_ARCHIVE_${name}})
endforeach()

if(QUIVER_PORTABLE_DIR)
  foreach(name thrift bz2 mimalloc)
    list(APPEND _quiver_archive_paths ${QUIVER_PORTABLE_DIR}/lib/lib${name}.a)
  endforeach()
  set(QUIVER_DEPS
    "$<LINK_GROUP:RESCAN,${_quiver_archive_paths}>"
    -static-libstdc++ -static-libgcc)
  # The engine and FAISS are compiled with -fopenmp; the runtime is the
  # portable archive, not the -lgomp that -fopenmp would add at link time.
  # glibc 2.31 keeps the threads functions in libpthread (libc has them from
  # 2.34 on, so Threads::Threads, found on the build machine, names none);
  # named after every archive, since GCC links with --as-needed.
  add_library(quiver_openmp INTERFACE)
  target_compile_options(quiver_openmp INTERFACE ${OpenMP_CXX_FLAGS})
  target_link_libraries(quiver_openmp INTERFACE ${QUIVER_PORTABLE_DIR}/lib/libgomp.a pthread)
  set(QUIVER_OPENMP quiver_openmp)
else()
  find_library(QUIVER_SHARED_thrift NAMES thrift REQUIRED NO_CACHE)
  find_library(QUIVER_SHARED_mimalloc NAMES mimalloc libmimalloc.so.3 REQUIRED NO_CACHE)
  find_library(QUIVER_SHARED_bz2 NAMES bz2 libbz2.so.1.0 REQUIRED NO_CACHE)
  find_library(QUIVER_SHARED_gfortran NAMES gfortran libgfortran.so.5 REQUIRED NO_CACHE)
  set(QUIVER_DEPS
    "$<LINK_GROUP:RESCAN,${_quiver_archive_paths}>"
    ${QUIVER_SHARED_thrift} ${QUIVER_SHARED_mimalloc} ${QUIVER_SHARED_bz2} ${QUIVER_SHARED_gfortran}
    -static-libstdc++ -static-libgcc)
endif()
