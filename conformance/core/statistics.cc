#include "conformance/core/statistics.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace lepton::stats {
namespace {

Status CheckSample(std::span<const double> values) {
  if (values.empty()) return InvalidArgumentError("no values to summarise");
  for (double value : values) {
    if (!std::isfinite(value)) return InvalidArgumentError("non-finite value in the sample");
  }
  return OkStatus();
}

}  // namespace

Result<double> Mean(std::span<const double> values) {
  LEPTON_RETURN_IF_ERROR(CheckSample(values));
  // Running mean: no overflow for large magnitudes.
  double mean = 0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    mean += (values[i] - mean) / static_cast<double>(i + 1);
  }
  return mean;
}

Result<double> Percentile(std::span<const double> values, double p) {
  LEPTON_RETURN_IF_ERROR(CheckSample(values));
  if (!(p >= 0.0 && p <= 1.0)) return std::unexpected(InvalidArgumentError("p outside [0, 1]"));
  std::vector<double> sorted(values.begin(), values.end());
  std::sort(sorted.begin(), sorted.end());
  const double rank = static_cast<double>(sorted.size() - 1) * p;
  const auto lower = static_cast<std::size_t>(std::floor(rank));
  const std::size_t upper = std::min(lower + 1, sorted.size() - 1);
  const double fraction = rank - static_cast<double>(lower);
  return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction;
}

Result<double> Median(std::span<const double> values) { return Percentile(values, 0.5); }

Result<double> Min(std::span<const double> values) {
  LEPTON_RETURN_IF_ERROR(CheckSample(values));
  return *std::min_element(values.begin(), values.end());
}

Result<double> Max(std::span<const double> values) {
  LEPTON_RETURN_IF_ERROR(CheckSample(values));
  return *std::max_element(values.begin(), values.end());
}

}  // namespace lepton::stats
