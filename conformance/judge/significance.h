#pragma once
// Is a candidate's sample of repeated runs different from a baseline's, and by how much?
//
// - Mann-Whitney U (two-sided) decides significance: it assumes no distribution (run times are
//   skewed and heavy-tailed) and works on the few runs a benchmark can afford. The p-value is
//   exact (the permutation distribution of U) when there are no ties and n1 + n2 <= 60, and
//   otherwise the normal approximation with tie correction and continuity correction.
// - A percentile bootstrap gives the confidence interval of the relative change of medians,
//   seeded so the same samples always give the same interval.

#include <cstdint>
#include <span>

#include "conformance/core/status.h"

namespace lepton::stats {

struct MannWhitneyResult {
  double u = 0;  // U of the first sample: pairs (a, b) with a > b, ties counted one half
  double p_value = 1;
  bool exact = false;
};

// InvalidArgument on an empty or non-finite sample.
Result<MannWhitneyResult> MannWhitneyU(std::span<const double> first,
                                       std::span<const double> second);

// The smallest two-sided p-value any data can give with these sample sizes: 2 / C(n1+n2, n1).
// When it is not below alpha, no outcome of the runs could be called significant.
double SmallestTwoSidedP(int first_size, int second_size);

struct Interval {
  double low = 0;
  double high = 0;
};

// Percentile-bootstrap interval at `confidence` of median(candidate) / median(baseline) - 1.
// InvalidArgument on empty or non-finite samples or a resampled baseline median of zero.
Result<Interval> BootstrapRelativeChangeOfMedians(std::span<const double> baseline,
                                                  std::span<const double> candidate,
                                                  double confidence, int resamples,
                                                  std::uint64_t seed);

}  // namespace lepton::stats
