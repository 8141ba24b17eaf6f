#include "conformance/judge/significance.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "conformance/core/statistics.h"

namespace lepton::stats {
namespace {

Status CheckSample(std::span<const double> values, const char* which) {
  if (values.empty()) return InvalidArgumentError(std::string("the ") + which + " sample is empty");
  for (double value : values) {
    if (!std::isfinite(value)) {
      return InvalidArgumentError(std::string("the ") + which + " sample has a non-finite value");
    }
  }
  return OkStatus();
}

// counts[u] = number of orderings of m first and n second values (no ties) whose U is u, over
// all C(m+n, m) orderings; the classic recurrence f(m, n, u) = f(m-1, n, u-n) + f(m, n-1, u).
std::vector<double> ExactUDistribution(int m, int n) {
  const std::size_t u_values = static_cast<std::size_t>(m) * static_cast<std::size_t>(n) + 1;
  const std::size_t n_values = static_cast<std::size_t>(n) + 1;
  // table[j][u] for the current i (first-sample count), j second-sample count.
  std::vector<std::vector<double>> previous(n_values);
  for (int j = 0; j <= n; ++j) previous[j].assign(u_values, 0.0);
  for (int j = 0; j <= n; ++j) previous[j][0] = 1.0;  // i = 0: U is 0
  for (int i = 1; i <= m; ++i) {
    std::vector<std::vector<double>> current(n_values);
    for (int j = 0; j <= n; ++j) {
      current[j].assign(u_values, 0.0);
      for (int u = 0; u <= i * j; ++u) {
        // The largest value belongs to the first sample (it beats all j) or to the second.
        double count = u >= j ? previous[j][u - j] : 0.0;
        if (j > 0) count += current[j - 1][u];
        current[j][u] = count;
      }
    }
    previous = std::move(current);
  }
  return previous[n];
}

double MedianOf(std::vector<double>& values) {
  const std::size_t middle = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(middle),
                   values.end());
  const double upper = values[middle];
  if (values.size() % 2 == 1) return upper;
  const double lower =
      *std::max_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(middle));
  return (lower + upper) / 2;
}

}  // namespace

Result<MannWhitneyResult> MannWhitneyU(std::span<const double> first,
                                       std::span<const double> second) {
  LEPTON_RETURN_IF_ERROR(CheckSample(first, "first"));
  LEPTON_RETURN_IF_ERROR(CheckSample(second, "second"));
  const auto m = static_cast<double>(first.size());
  const auto n = static_cast<double>(second.size());
  MannWhitneyResult result;
  for (double a : first) {
    for (double b : second) result.u += a > b ? 1.0 : (a == b ? 0.5 : 0.0);
  }
  // Tie groups over the pooled sample, for the exactness test and the variance correction.
  std::vector<double> pooled(first.begin(), first.end());
  pooled.insert(pooled.end(), second.begin(), second.end());
  std::sort(pooled.begin(), pooled.end());
  double tie_term = 0;
  for (std::size_t i = 0; i < pooled.size();) {
    std::size_t j = i;
    while (j < pooled.size() && pooled[j] == pooled[i]) ++j;
    const auto t = static_cast<double>(j - i);
    tie_term += t * t * t - t;
    i = j;
  }
  const double mean_u = m * n / 2;
  if (tie_term == 0 && first.size() + second.size() <= 60) {
    const std::vector<double> counts =
        ExactUDistribution(static_cast<int>(first.size()), static_cast<int>(second.size()));
    double total = 0;
    for (double count : counts) total += count;
    const auto u = static_cast<std::size_t>(result.u);
    double at_most = 0;
    for (std::size_t k = 0; k <= u; ++k) at_most += counts[k];
    double at_least = 0;
    for (std::size_t k = u; k < counts.size(); ++k) at_least += counts[k];
    result.p_value = std::min(1.0, 2 * std::min(at_most, at_least) / total);
    result.exact = true;
    return result;
  }
  const double size = m + n;
  const double variance = m * n / 12 * ((size + 1) - tie_term / (size * (size - 1)));
  if (variance <= 0) {  // every value equal: no evidence of any difference
    result.p_value = 1;
    return result;
  }
  const double distance = std::max(0.0, std::abs(result.u - mean_u) - 0.5);
  result.p_value = std::min(1.0, std::erfc(distance / std::sqrt(variance) / std::sqrt(2.0)));
  return result;
}

double SmallestTwoSidedP(int first_size, int second_size) {
  if (first_size <= 0 || second_size <= 0) return 1;
  // C(m+n, m) computed in floating point; exact for the sizes benchmarks use.
  double combinations = 1;
  const int k = std::min(first_size, second_size);
  for (int i = 1; i <= k; ++i) {
    combinations = combinations * (first_size + second_size - k + i) / i;
  }
  return std::min(1.0, 2 / combinations);
}

Result<Interval> BootstrapRelativeChangeOfMedians(std::span<const double> baseline,
                                                  std::span<const double> candidate,
                                                  double confidence, int resamples,
                                                  std::uint64_t seed) {
  LEPTON_RETURN_IF_ERROR(CheckSample(baseline, "baseline"));
  LEPTON_RETURN_IF_ERROR(CheckSample(candidate, "candidate"));
  if (!(confidence > 0 && confidence < 1) || resamples < 100) {
    return std::unexpected(
        InvalidArgumentError("bootstrap needs 0 < confidence < 1 and at least 100 resamples"));
  }
  std::mt19937_64 generator(seed);
  std::uniform_int_distribution<std::size_t> pick_baseline(0, baseline.size() - 1);
  std::uniform_int_distribution<std::size_t> pick_candidate(0, candidate.size() - 1);
  std::vector<double> changes;
  changes.reserve(static_cast<std::size_t>(resamples));
  std::vector<double> base_sample(baseline.size());
  std::vector<double> cand_sample(candidate.size());
  for (int r = 0; r < resamples; ++r) {
    for (double& value : base_sample) value = baseline[pick_baseline(generator)];
    for (double& value : cand_sample) value = candidate[pick_candidate(generator)];
    const double base_median = MedianOf(base_sample);
    if (base_median == 0) {
      return std::unexpected(InvalidArgumentError(
          "a resampled baseline median is 0: the relative change is undefined"));
    }
    changes.push_back(MedianOf(cand_sample) / base_median - 1);
  }
  const double tail = (1 - confidence) / 2;
  LEPTON_ASSIGN_OR_RETURN(const double low, Percentile(changes, tail));
  LEPTON_ASSIGN_OR_RETURN(const double high, Percentile(changes, 1 - tail));
  return Interval{low, high};
}

}  // namespace lepton::stats
