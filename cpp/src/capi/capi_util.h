// Shared plumbing of the C ABI entry points: the thread-local error message
// and the guard that turns every C++ failure into a status code.
#pragma once

#include <new>
#include <string>
#include <utility>

#include "common/status.h"

namespace quiver::capi {

// Records `message` as this thread's last error and returns `code`.
qv_status SetError(qv_status code, std::string message);
// Records a failed status (or clears nothing on OK) and returns its code.
qv_status Report(const Status& st);

// Runs `fn` (returning Status) so that no exception escapes to the caller.
template <typename Fn>
qv_status Guarded(Fn&& fn) noexcept {
  try {
    return Report(std::forward<Fn>(fn)());
  } catch (const std::bad_alloc&) {
    return SetError(QV_ERR_OUT_OF_MEMORY, "out of memory");
  } catch (const std::exception& e) {
    return SetError(QV_ERR_INTERNAL, std::string("internal error: ") + e.what());
  } catch (...) {
    return SetError(QV_ERR_INTERNAL, "internal error: unknown exception");
  }
}

#define QV_CHECK_ARG(cond, msg)                                        \
  do {                                                                 \
    if (!(cond)) return ::arrow::Status::Invalid(msg);                 \
  } while (0)

}  // namespace quiver::capi
