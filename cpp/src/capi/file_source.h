// What a qv_file_source handle holds: the Storage over the caller's
// callbacks, shared by every build params and index given it.
#pragma once

#include <memory>

#include "parquet/storage.h"

struct qv_file_source {
  std::shared_ptr<quiver::Storage> storage;
};
