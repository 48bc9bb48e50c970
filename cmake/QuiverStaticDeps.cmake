# The dependencies of libquiver.so for the jar (QUIVER_STATIC_DEPS=ON): Arrow,
# Parquet (with Arrow compute), FAISS, OpenBLAS, the compression libraries,
# utf8proc, OpenSSL's libcrypto and the C++ runtime are linked in from their
# static archives, so that the library needs little beyond the C library.
# What has no usable archive stays shared and is shipped next to the library
# in the jar (ci/build.sh --package): libthrift.a, libbz2.a and libre2.a (and
# so Abseil, which RE2 needs) are not position-independent,
# mimalloc has no archive, and OpenBLAS's LAPACK needs the Fortran runtime;
# OpenMP stays libgomp.so, whose initial-exec TLS does not suit a dlopen'ed
# library.
#
# Sets QUIVER_DEPS, the libraries quiver_engine links against.

set(_quiver_archives
  parquet arrow_compute arrow faiss openblas
  zstd lz4 snappy brotlienc brotlidec brotlicommon z xxhash
  utf8proc crypto)
set(_quiver_archive_paths "")
foreach(name IN LISTS _quiver_archives)
  find_library(QUIVER_ARCHIVE_${name} NAMES lib${name}.a REQUIRED NO_CACHE)
  list(APPEND _quiver_archive_paths ${QUIVER_ARCHIVE_${name}})
endforeach()

find_library(QUIVER_SHARED_thrift NAMES thrift REQUIRED NO_CACHE)
find_library(QUIVER_SHARED_mimalloc NAMES mimalloc libmimalloc.so.3 REQUIRED NO_CACHE)
find_library(QUIVER_SHARED_re2 NAMES re2 REQUIRED NO_CACHE)
find_library(QUIVER_SHARED_bz2 NAMES bz2 libbz2.so.1.0 REQUIRED NO_CACHE)
find_library(QUIVER_SHARED_gfortran NAMES gfortran libgfortran.so.5 REQUIRED NO_CACHE)

set(QUIVER_DEPS
  "$<LINK_GROUP:RESCAN,${_quiver_archive_paths}>"
  ${QUIVER_SHARED_thrift} ${QUIVER_SHARED_re2} ${QUIVER_SHARED_mimalloc} ${QUIVER_SHARED_bz2} ${QUIVER_SHARED_gfortran}
  -static-libstdc++ -static-libgcc)
