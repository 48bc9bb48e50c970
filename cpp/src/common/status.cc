#include "common/status.h"

namespace quiver {

Status MakeStatus(qv_status code, std::string message) {
  arrow::StatusCode arrow_code;
  switch (code) {
    case QV_ERR_INVALID_ARGUMENT: arrow_code = arrow::StatusCode::Invalid; break;
    case QV_ERR_IO: arrow_code = arrow::StatusCode::IOError; break;
    case QV_ERR_NOT_FOUND: arrow_code = arrow::StatusCode::KeyError; break;
    case QV_ERR_UNSUPPORTED: arrow_code = arrow::StatusCode::NotImplemented; break;
    case QV_ERR_OUT_OF_MEMORY: arrow_code = arrow::StatusCode::OutOfMemory; break;
    case QV_ERR_CANCELLED: arrow_code = arrow::StatusCode::Cancelled; break;
    default: arrow_code = arrow::StatusCode::UnknownError; break;
  }
  return Status(arrow_code, std::move(message), std::make_shared<QuiverDetail>(code));
}

qv_status ToQvStatus(const Status& st) {
  if (st.ok()) return QV_OK;
  if (auto d = st.detail(); d && std::string(d->type_id()) == "quiver::QuiverDetail") {
    return static_cast<const QuiverDetail&>(*d).code();
  }
  switch (st.code()) {
    case arrow::StatusCode::Invalid:
    case arrow::StatusCode::TypeError:
    case arrow::StatusCode::IndexError:
    case arrow::StatusCode::CapacityError:
      return QV_ERR_INVALID_ARGUMENT;
    case arrow::StatusCode::IOError:
      return QV_ERR_IO;
    case arrow::StatusCode::KeyError:
      return QV_ERR_NOT_FOUND;
    case arrow::StatusCode::NotImplemented:
      return QV_ERR_UNSUPPORTED;
    case arrow::StatusCode::OutOfMemory:
      return QV_ERR_OUT_OF_MEMORY;
    case arrow::StatusCode::Cancelled:
      return QV_ERR_CANCELLED;
    default:
      return QV_ERR_INTERNAL;
  }
}

}  // namespace quiver
