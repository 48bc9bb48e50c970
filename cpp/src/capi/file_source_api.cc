// The C ABI for caller-supplied file sources.
#include "capi/capi_util.h"
#include "capi/file_source.h"
#include "parquet/callback_storage.h"
#include "quiver/quiver.h"

namespace {
using quiver::Status;
using quiver::capi::Guarded;
}  // namespace

extern "C" {

qv_status qv_file_source_create(qv_source_stat_fn stat, qv_source_open_fn open, qv_source_read_fn read,
                                qv_source_close_fn close, int32_t remote, void* user,
                                qv_file_source** out) {
  return Guarded([&]() -> Status {
    QV_CHECK_ARG(out != nullptr, "out is NULL");
    QV_CHECK_ARG(stat != nullptr && open != nullptr && read != nullptr && close != nullptr,
                 "a file source needs all four callbacks (stat, open, read, close)");
    QV_CHECK_ARG(remote == 0 || remote == 1, "remote must be 0 or 1");
    quiver::FileSourceCallbacks cb;
    cb.stat = stat;
    cb.open = open;
    cb.read = read;
    cb.close = close;
    cb.remote = remote == 1;
    cb.user = user;
    *out = new qv_file_source{quiver::MakeCallbackStorage(cb)};
    return Status::OK();
  });
}

void qv_file_source_destroy(qv_file_source* source) { delete source; }

}  // extern "C"
