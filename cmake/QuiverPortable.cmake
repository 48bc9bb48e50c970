# Links libquiver.so for any Linux with glibc 2.28 or newer (RHEL 8 and
# later), needing nothing else at run time (QUIVER_PORTABLE_DIR, which
# ci/portable-deps.sh fills for amd64 or arm64; QuiverStaticDeps.cmake
# supplies the archives).
#
# The dependencies are Debian unstable's, compiled against glibc 2.43, and
# the compiler and headers stay the build machine's: only the link changes.
# Linking against glibc 2.31's own libraries (the sysroot) lets the linker
# bind no symbol version newer than 2.31, and makes any function a 2.31 lacks
# an undefined reference, which --no-undefined turns into a link error.
# cpp/portable/ supplies each such function, hidden, and binds the few that
# 2.31 versions above 2.28 to their older versions. ci/build.sh checks the
# result (at most GLIBC_2.28, glibc's libraries only).

if(NOT QUIVER_STATIC_DEPS)
  message(FATAL_ERROR "QUIVER_PORTABLE_DIR needs QUIVER_STATIC_DEPS=ON")
endif()
set(_quiver_sysroot ${QUIVER_PORTABLE_DIR}/sysroot)
set(_quiver_multiarch ${CMAKE_LIBRARY_ARCHITECTURE})
if(NOT EXISTS ${_quiver_sysroot}/usr/lib/${_quiver_multiarch}/libc.so)
  message(FATAL_ERROR "QUIVER_PORTABLE_DIR=${QUIVER_PORTABLE_DIR} holds no ${_quiver_multiarch} glibc: run ci/portable-deps.sh")
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
# (/usr/lib/<multiarch>, the build machine's glibc) on the library path
# ahead of the sysroot's, so the sysroot's directories are named first with
# -L, and its crt files with -B. GCC's own libraries (libstdc++.a, libgcc)
# still come from the compiler's directory, as they must.
#
# GCC 16's objects refer to __cxa_pure_virtual only weakly, which does not
# pull it out of libstdc++.a; left undefined it would bind to whichever
# libstdc++ the process has loaded, so it is pulled in (and hidden) here.
target_link_options(quiver PRIVATE
  --sysroot=${_quiver_sysroot}
  -B${_quiver_sysroot}/usr/lib/${_quiver_multiarch}
  -L${_quiver_sysroot}/usr/lib/${_quiver_multiarch}
  -L${_quiver_sysroot}/lib/${_quiver_multiarch}
  -Wl,--undefined=__cxa_pure_virtual)
