#include "common/metric.h"

namespace quiver {

Result<Metric> MetricFromCode(int32_t code) {
  for (Metric m : kMetrics) {
    if (MetricCode(m) == code) return m;
  }
  return Status::Invalid("unknown metric ", code, " (expected QV_METRIC_L2, _COSINE or _INNER_PRODUCT)");
}

const char* MetricName(Metric m) {
  switch (m) {
    case Metric::kL2: return "L2";
    case Metric::kCosine: return "COSINE";
    case Metric::kInnerProduct: return "INNER_PRODUCT";
  }
  return "UNKNOWN";  // not reached: every Metric is named above
}

Result<Metric> MetricFromName(const std::string& name) {
  for (Metric m : kMetrics) {
    if (name == MetricName(m)) return m;
  }
  return Status::Invalid("unknown metric '", name, "'");
}

bool UnitNormalised(Metric m) {
  switch (m) {
    case Metric::kL2: return false;
    case Metric::kCosine: return true;
    case Metric::kInnerProduct: return false;
  }
  return false;  // not reached
}

}  // namespace quiver
