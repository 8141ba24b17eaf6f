#pragma once
// Statistics over repeated runs, as pure functions with their edge cases stated:
// - every function needs at least one value and only finite values (InvalidArgument otherwise);
// - Median of an even count is the mean of the two middle values;
// - Percentile(p) interpolates linearly between closest ranks at rank (n - 1) * p
//   (Hyndman & Fan type 7, numpy's default), so p = 0.5 equals Median and one value is every
//   percentile of itself.

#include <span>

#include "conformance/core/status.h"

namespace lepton::stats {

Result<double> Mean(std::span<const double> values);
Result<double> Median(std::span<const double> values);
Result<double> Min(std::span<const double> values);
Result<double> Max(std::span<const double> values);
Result<double> Percentile(std::span<const double> values, double p);  // p in [0, 1]

}  // namespace lepton::stats
