#include "build/blas_threads.h"

#include <dlfcn.h>

// Weak: resolved when OpenBLAS is linked in statically (the packaged
// library), null otherwise; then it is looked up at run time, because FAISS
// links the generic libblas.so, which may or may not be OpenBLAS depending
// on the machine's alternatives.
extern "C" void openblas_set_num_threads(int) __attribute__((weak));
extern "C" int openblas_get_num_threads() __attribute__((weak));

namespace quiver {
namespace {

using SetThreads = void (*)(int);
using GetThreads = int (*)();

SetThreads set_threads() {
  static SetThreads fn = openblas_set_num_threads != nullptr
                             ? &openblas_set_num_threads
                             : reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  return fn;
}
GetThreads get_threads() {
  static GetThreads fn = openblas_get_num_threads != nullptr
                             ? &openblas_get_num_threads
                             : reinterpret_cast<GetThreads>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  return fn;
}

}  // namespace

SingleThreadedBlas::SingleThreadedBlas() {
  if (set_threads() && get_threads()) {
    previous_ = get_threads()();
    set_threads()(1);
  }
}

SingleThreadedBlas::~SingleThreadedBlas() {
  if (previous_ > 0) set_threads()(previous_);
}

}  // namespace quiver
