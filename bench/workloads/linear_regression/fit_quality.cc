#include "bench/workloads/linear_regression/fit_quality.h"

#include <algorithm>
#include <cmath>

namespace lepton::bench {

FitQuality EvaluateHoldout(const RegressionData& data, const std::vector<double>& coefficients) {
  const int k = data.stride();
  const int d = data.features;
  double sum_squares = 0;
  double y_sum = 0;
  double y_sum_squares = 0;
  for (std::int64_t i = 0; i < data.holdout_rows; ++i) {
    const double* row = data.holdout.data() + i * k;
    double prediction = coefficients[d];
    for (int j = 0; j < d; ++j) prediction += coefficients[j] * row[j];
    const double y = row[k - 1];
    sum_squares += (y - prediction) * (y - prediction);
    y_sum += y;
    y_sum_squares += y * y;
  }
  const auto n = static_cast<double>(data.holdout_rows);
  const double total_variance = y_sum_squares - y_sum * y_sum / n;
  FitQuality quality;
  quality.holdout_mse = sum_squares / n;
  quality.holdout_r2 = total_variance > 0 ? 1.0 - sum_squares / total_variance : 0.0;
  return quality;
}

double MaxAbsCoefficientError(const std::vector<double>& fitted, const std::vector<double>& truth) {
  double worst = 0;
  for (std::size_t i = 0; i < fitted.size() && i < truth.size(); ++i) {
    worst = std::max(worst, std::abs(fitted[i] - truth[i]));
  }
  return worst;
}

}  // namespace lepton::bench
