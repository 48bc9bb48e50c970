# Cross-compiles for linux-aarch64 on an x86-64 Debian machine:
#   cmake -S . -B build-aarch64 --toolchain cmake/toolchain-aarch64.cmake
# (ci/build.sh --aarch64 does this, in the build root). The compiler is Debian's
# g++-16-aarch64-linux-gnu, the same GCC that built the arm64 Arrow, Parquet
# and FAISS packages, so their static archives and libstdc++.a link together.
# Those packages are installed side by side with the x86-64 ones through
# multiarch in the build root (ci/install-deps.sh --aarch64): headers are shared in /usr/include,
# arm64 libraries and CMake packages live under /usr/lib/aarch64-linux-gnu.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

set(QUIVER_AARCH64_GCC_VERSION 16 CACHE STRING "version suffix of the aarch64 cross compiler")
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc-${QUIVER_AARCH64_GCC_VERSION})
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++-${QUIVER_AARCH64_GCC_VERSION})

# Only arm64 libraries and packages: the multiarch directories of the host
# architecture under the same root must never be picked up.
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu /)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(CMAKE_IGNORE_PATH /usr/lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu/cmake)
# Arrow's find modules ask pkg-config for library directories; the host's
# would answer with the x86-64 ones. pkgconf:arm64 installs this wrapper.
set(PKG_CONFIG_EXECUTABLE aarch64-linux-gnu-pkg-config CACHE FILEPATH "pkg-config for arm64")

# Test discovery at build time and ctest run the aarch64 binaries under
# qemu-user; -L lets the emulated loader find the cross toolchain's runtime
# (libstdc++, libgomp) before the multiarch directories. The emulated CPU is
# the baseline ARMv8.0-A core (Cortex-A72, as in AWS Graviton 1): the library
# must run there, and it emulates faster than qemu's default "max" CPU, whose
# SVE the arm64 OpenBLAS would otherwise pick.
set(QUIVER_QEMU_CPU cortex-a72 CACHE STRING "CPU that qemu-user emulates for the tests")
find_program(QUIVER_QEMU_AARCH64 NAMES qemu-aarch64-static qemu-aarch64 NO_CACHE)
if(QUIVER_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR
      ${QUIVER_QEMU_AARCH64} -cpu ${QUIVER_QEMU_CPU} -L /usr/aarch64-linux-gnu)
endif()
