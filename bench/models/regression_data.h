#pragma once
// The rows the regression solvers train on, on any device: each row is [x_1 .. x_d, 1, y] in
// fp64, row-major, so one DSYRK over the rows yields X^T X, X^T 1, X^T y, n, 1^T y and y^T y at
// once (the augmented Gram matrix). The workload fills it (bench/workloads/linear_regression/
// regression_sources.h).

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace lepton::bench {

struct RegressionData {
  int features = 0;
  std::int64_t train_rows = 0;
  std::int64_t holdout_rows = 0;
  std::vector<double> train;    // train_rows x stride()
  std::vector<double> holdout;  // holdout_rows x stride()
  // Generating coefficients when known: features weights, then the intercept.
  std::optional<std::vector<double>> true_coefficients;

  [[nodiscard]] int stride() const { return features + 2; }
  [[nodiscard]] std::span<const double> TrainRow(std::int64_t i) const {
    return {train.data() + i * stride(), static_cast<std::size_t>(stride())};
  }
};

}  // namespace lepton::bench
