// Chooses the kernel table once per process: the widest instruction set the
// CPU runs, unless QUIVER_KERNELS names another (for tests and benchmarks).
#include <cstdlib>
#include <cstring>

#include "kernels/kernels.h"

#if defined(__aarch64__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

namespace quiver {

#if defined(__x86_64__)
const Kernels& Avx2Kernels();
const Kernels& Avx512Kernels();
#endif
#if defined(__aarch64__)
const Kernels& NeonKernels();
#endif

int AvailableKernels(const Kernels** out, int max) {
  int n = 0;
  auto add = [&](const Kernels& k) {
    if (n < max) out[n] = &k;
    ++n;
  };
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl")) {
    add(Avx512Kernels());
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) add(Avx2Kernels());
#endif
#if defined(__aarch64__)
  if (getauxval(AT_HWCAP) & HWCAP_ASIMD) add(NeonKernels());
#endif
  add(ScalarKernels());
  return n < max ? n : max;
}

namespace {

const Kernels& Choose() {
  const Kernels* all[8];
  int n = AvailableKernels(all, 8);
  if (const char* want = std::getenv("QUIVER_KERNELS"); want != nullptr && *want != '\0') {
    for (int i = 0; i < n; ++i) {
      if (std::strcmp(all[i]->name, want) == 0) return *all[i];
    }
    // An override this CPU cannot honour falls back to the best table rather
    // than failing a library load.
  }
  return *all[0];
}

}  // namespace

const Kernels& ActiveKernels() {
  static const Kernels& chosen = Choose();
  return chosen;
}

}  // namespace quiver
