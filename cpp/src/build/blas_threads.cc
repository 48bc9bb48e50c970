#include "build/blas_threads.h"

#include <dlfcn.h>

namespace quiver {
namespace {

// Looked up at run time: FAISS links the generic libblas.so, which may or
// may not be OpenBLAS depending on the machine's alternatives.
using SetThreads = void (*)(int);
using GetThreads = int (*)();

SetThreads set_threads() {
  static SetThreads fn = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  return fn;
}
GetThreads get_threads() {
  static GetThreads fn = reinterpret_cast<GetThreads>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
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
