#include "capi/capi_util.h"
#include "quiver/quiver.h"

namespace quiver::capi {
namespace {
thread_local std::string last_error;
}

qv_status SetError(qv_status code, std::string message) {
  last_error = std::move(message);
  return code;
}

qv_status Report(const Status& st) {
  if (st.ok()) return QV_OK;
  return SetError(ToQvStatus(st), st.message());
}

}  // namespace quiver::capi

extern "C" {

#define QV_STR2(x) #x
#define QV_STR(x) QV_STR2(x)
uint32_t qv_abi_version(void) { return QV_ABI_VERSION; }

const char* qv_version(void) {
  return QV_STR(QV_VERSION_MAJOR) "." QV_STR(QV_VERSION_MINOR) "." QV_STR(QV_VERSION_PATCH);
}

const char* qv_last_error(void) { return quiver::capi::last_error.c_str(); }

const char* qv_status_name(qv_status status) {
  switch (status) {
    case QV_OK: return "OK";
    case QV_ERR_INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case QV_ERR_IO: return "IO";
    case QV_ERR_NOT_FOUND: return "NOT_FOUND";
    case QV_ERR_UNSUPPORTED: return "UNSUPPORTED";
    case QV_ERR_CORRUPT_INDEX: return "CORRUPT_INDEX";
    case QV_ERR_STALE_INDEX: return "STALE_INDEX";
    case QV_ERR_OUT_OF_MEMORY: return "OUT_OF_MEMORY";
    case QV_ERR_CANCELLED: return "CANCELLED";
    case QV_ERR_INTERNAL: return "INTERNAL";
    default: return "UNKNOWN";
  }
}

}  // extern "C"
