#pragma once
// Baseline gating for CI: is a candidate report worse than a baseline report, metric by metric,
// beyond an allowed margin and beyond the noise of repeated runs?
//
// For every numeric metric both reports measured on a workload of the same name with the same
// parameters, the timed runs' values are compared:
// - change: median(candidate) / median(baseline) - 1, with a percentile-bootstrap interval;
// - significance: two-sided Mann-Whitney U at alpha (conformance/judge/significance.h);
// - energy figures (energy_j, joules_per_sample, ...) compare only when both reports measured
//   them by the same method (tier, meter and domains); otherwise they are not comparable;
// - direction: which way is better comes from the spec's requirements on that metric (an upper
//   bound means lower is better, a lower bound higher); without one, a unit of seconds means lower
//   and a unit per second higher; otherwise the change is shown and not judged.
// A regression is a change in the worse direction beyond the margin that is also significant.
// With too few runs for any outcome to reach alpha, the metric is reported as undecided, never
// guessed.

#include <string>
#include <string_view>
#include <vector>

#include "conformance/core/status.h"

namespace lepton::reports {

struct CompareOptions {
  double max_regression = 0.05;  // relative, in the worse direction
  double alpha = 0.05;
  int bootstrap_resamples = 5000;
};

enum class ChangeVerdict {
  kRegression,        // significant and worse beyond the margin
  kImprovement,       // significant and better
  kWithinMargin,      // significant but not beyond the margin
  kNoChange,          // not significant
  kUndecided,         // too few runs for any outcome to be significant
  kDirectionUnknown,  // no requirement or unit says which way is better
  kNotComparable,     // different parameters, or a baseline median of zero
};

std::string_view ChangeVerdictName(ChangeVerdict verdict);

struct MetricComparison {
  std::string workload;
  std::string metric;
  std::string unit;
  std::string better;  // "higher", "lower" or "" when unknown
  std::vector<double> baseline;
  std::vector<double> candidate;
  double baseline_median = 0;
  double candidate_median = 0;
  double change = 0;  // relative; NaN when not computable
  double change_low = 0;
  double change_high = 0;  // bootstrap interval at 1 - alpha; NaN when not computable
  double p_value = 1;
  bool p_exact = false;
  ChangeVerdict verdict = ChangeVerdict::kNoChange;
  std::string note;  // why undecided / not comparable, or how direction was found
};

struct Comparison {
  std::string baseline_name;
  std::string candidate_name;
  CompareOptions options;
  std::vector<MetricComparison> metrics;
  std::vector<std::string> warnings;  // different specs or profiles, workloads on one side only
  int regressions = 0;
  int undecided = 0;
};

// InvalidArgument naming the file and the field when a report cannot be read.
Result<Comparison> CompareReports(std::string_view baseline_json, std::string_view baseline_name,
                                  std::string_view candidate_json, std::string_view candidate_name,
                                  const CompareOptions& options);

}  // namespace lepton::reports
