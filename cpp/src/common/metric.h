// The distances an index is built for, defined once. Smaller is nearer for
// all three. Every switch over a Metric names each case and has no default,
// so that a new metric makes the compiler point at each place that must learn
// it; the C ABI's integer codes (QV_METRIC_*) are turned into a Metric at the
// boundary, where an unknown one is an error.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "quiver/quiver.h"

namespace quiver {

enum class Metric : int32_t {
  kL2 = QV_METRIC_L2,                       // squared Euclidean distance
  kCosine = QV_METRIC_COSINE,               // 1 - cos(q, x)
  kInnerProduct = QV_METRIC_INNER_PRODUCT,  // -<q, x>
};

// Every metric, for the lookups below (and the tests).
inline constexpr Metric kMetrics[] = {Metric::kL2, Metric::kCosine, Metric::kInnerProduct};

// The C ABI's code for a metric, or InvalidArgument naming the code.
Result<Metric> MetricFromCode(int32_t code);
inline int32_t MetricCode(Metric m) { return static_cast<int32_t>(m); }

// The manifest's spelling ("L2", "COSINE", "INNER_PRODUCT") and back.
const char* MetricName(Metric m);
Result<Metric> MetricFromName(const std::string& name);

// Whether rows, centroids and queries are unit-normalised (cosine), so that
// L2 assignment and dot products order them as the metric does.
bool UnitNormalised(Metric m);

}  // namespace quiver
