// Errors inside the engine are arrow::Status / arrow::Result, like the Arrow
// and Parquet code they come from. Conditions Arrow has no code for (a stale
// or corrupt index, a cancelled build) carry a QuiverDetail naming the
// qv_status the C ABI reports.
#pragma once

#include <arrow/result.h>
#include <arrow/status.h>

#include <memory>
#include <string>

#include "quiver/quiver.h"

namespace quiver {

using arrow::Result;
using arrow::Status;

class QuiverDetail : public arrow::StatusDetail {
 public:
  explicit QuiverDetail(qv_status code) : code_(code) {}
  const char* type_id() const override { return "quiver::QuiverDetail"; }
  std::string ToString() const override { return qv_status_name(code_); }
  qv_status code() const { return code_; }

 private:
  qv_status code_;
};

// Builds a status that maps to `code` at the C ABI.
Status MakeStatus(qv_status code, std::string message);

inline Status StaleIndex(std::string msg) { return MakeStatus(QV_ERR_STALE_INDEX, std::move(msg)); }
inline Status CorruptIndex(std::string msg) { return MakeStatus(QV_ERR_CORRUPT_INDEX, std::move(msg)); }
inline Status Cancelled(std::string msg) { return MakeStatus(QV_ERR_CANCELLED, std::move(msg)); }
inline Status NotFound(std::string msg) { return MakeStatus(QV_ERR_NOT_FOUND, std::move(msg)); }
inline Status Unsupported(std::string msg) { return MakeStatus(QV_ERR_UNSUPPORTED, std::move(msg)); }

// The qv_status the C ABI reports for `st` (QV_OK for an OK status).
qv_status ToQvStatus(const Status& st);

}  // namespace quiver
