// OpenBLAS's own threads and OpenMP's fight on a small machine (k-means on
// 100k x 128 took 57 s with both spinning, 7 s with BLAS held to one thread),
// so a build holds BLAS to one thread and parallelises with OpenMP around it.
#pragma once

namespace quiver {

// Sets the BLAS library to one thread for its lifetime, then restores it.
// A no-op when the BLAS in use is not OpenBLAS.
class SingleThreadedBlas {
 public:
  SingleThreadedBlas();
  ~SingleThreadedBlas();
  SingleThreadedBlas(const SingleThreadedBlas&) = delete;
  SingleThreadedBlas& operator=(const SingleThreadedBlas&) = delete;

 private:
  int previous_ = 0;
};

}  // namespace quiver
