# Links libquiver.so for any linux-x86-64 with glibc 2.28 or newer (RHEL 8
# and later), needing nothing else at run time (QUIVER_PORTABLE_DIR, which
# ci/portable-deps.sh fills; QuiverStaticDeps.cmake supplies the archives).
#
# The dependencies are Debian unstable's, compiled against glibc 2.43, and
# the compiler and headers stay the build machine's: only the link changes.
# Linking against glibc 2.31's own libraries (the sysroot) lets the linker
# bind no symbol version newer than 2.31, and makes any function a 2.31 lacks
# an undefined reference, which --no-undefined turns into a link error.
# cpp/portable/ supplies each such function, hidden, and binds the few that
# 2.31 versions above 2.28 to their older versions. ci/build.sh checks the
# result (at most GLIBC_2.28, glibc's libraries only).

if(NOT QUIVER_STATIC_DEPS OR NOT CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
  message(FATAL_ERROR "QUIVER_PORTABLE_DIR is for a linux-x86-64 build with QUIVER_STATIC_DEPS=ON")
endif()
set(_quiver_sysroot ${QUIVER_PORTABLE_DIR}/sysroot)
if(NOT EXISTS ${_quiver_sysroot}/usr/lib/x86_64-linux-gnu/libc.so)
  message(FATAL_ERROR "QUIVER_PORTABLE_DIR=${QUIVER_PORTABLE_DIR} holds no glibc sysroot: run ci/portable-deps.sh")
endif()

# In the engine's objects, so that whatever links them (the library, and the
# tests and benchmarks of such a build) gets them: OpenBLAS needs the Fortran
# function on any glibc. The C files make C++ targets mixed ones, to which
# CMake adds the C compiler's implicit libraries; GCC 16's include
# libgcc_s_asneeded, which would defeat -static-libgcc. g++ links what the
# runtime needs by itself.
set(CMAKE_C_IMPLICIT_LINK_LIBRARIES "")
target_sources(quiver_engine PRIVATE
  ${PROJECT_SOURCE_DIR}/cpp/portable/glibc_compat.c
  ${PROJECT_SOURCE_DIR}/cpp/portable/gfortran_compat.c
  ${PROJECT_SOURCE_DIR}/cpp/portable/zstd_trace.c)

# --sysroot alone is not enough: GCC puts its own multiarch directory
# (/usr/lib/x86_64-linux-gnu, the build machine's glibc) on the library path
# ahead of the sysroot's, so the sysroot's directories are named first with
# -L, and its crt files with -B. GCC's own libraries (libstdc++.a, libgcc)
# still come from the compiler's directory, as they must.
#
# GCC 16's objects refer to __cxa_pure_virtual only weakly, which does not
# pull it out of libstdc++.a; left undefined it would bind to whichever
# libstdc++ the process has loaded, so it is pulled in (and hidden) here.
target_link_options(quiver PRIVATE
  --sysroot=${_quiver_sysroot}
  -B${_quiver_sysroot}/usr/lib/x86_64-linux-gnu
  -L${_quiver_sysroot}/usr/lib/x86_64-linux-gnu
  -L${_quiver_sysroot}/lib/x86_64-linux-gnu
  -Wl,--undefined=__cxa_pure_virtual)

# glibc 2.31 keeps the threads functions in libpthread.so.0 (libc has them
# from 2.34 on, so Threads::Threads, found on the build machine, adds none).
target_link_libraries(quiver PRIVATE pthread)
