#include "bench/backends/cpu/cpu_regression.h"

#include <gtest/gtest.h>

#include <cmath>

#include "bench/workloads/linear_regression/fit_quality.h"
#include "bench/workloads/linear_regression/regression_sources.h"

namespace lepton::bench {
namespace {

RegressionData Synthetic(std::int64_t rows, int features, double sigma, std::uint64_t seed = 3) {
  return GenerateSynthetic({rows, features, sigma, 0.1, seed}).value();
}

TEST(NormalEquationsTest, RecoversExactCoefficientsWithoutNoise) {
  const RegressionData data = Synthetic(5000, 8, 0.0);
  NormalEquationsSolver solver;
  const auto fitted = solver.Solve(data, true).value();
  EXPECT_LT(MaxAbsCoefficientError(fitted, *data.true_coefficients), 1e-10);
  const FitQuality quality = EvaluateHoldout(data, fitted);
  EXPECT_LT(quality.holdout_mse, 1e-20);
  EXPECT_NEAR(quality.holdout_r2, 1.0, 1e-12);
}

TEST(NormalEquationsTest, ErrorShrinksWithNoiseOverRootN) {
  // Standard error of each coefficient is sigma / sqrt(n) for standard normal features.
  const RegressionData data = Synthetic(200000, 16, 0.5);
  NormalEquationsSolver solver;
  const auto fitted = solver.Solve(data, true).value();
  const double standard_error = 0.5 / std::sqrt(180000.0);
  EXPECT_LT(MaxAbsCoefficientError(fitted, *data.true_coefficients), 5 * standard_error);
  EXPECT_GT(MaxAbsCoefficientError(fitted, *data.true_coefficients), 0.0);
  EXPECT_NEAR(EvaluateHoldout(data, fitted).holdout_mse, 0.25, 0.02);
}

TEST(NormalEquationsTest, WithoutInterceptFitsThroughOrigin) {
  RegressionData data = Synthetic(2000, 4, 0.0);
  NormalEquationsSolver solver;
  const auto fitted = solver.Solve(data, false).value();
  EXPECT_EQ(fitted.back(), 0.0);
  // The generated data has a non-zero intercept, so a fit through the origin must be worse.
  EXPECT_GT(EvaluateHoldout(data, fitted).holdout_mse, 1e-6);
}

TEST(NormalEquationsTest, LinearlyDependentFeaturesAreRefused) {
  RegressionData data = Synthetic(1000, 3, 0.1);
  for (std::int64_t i = 0; i < data.train_rows; ++i) {
    data.train[static_cast<std::size_t>(i * data.stride() + 1)] =
        data.train[static_cast<std::size_t>(i * data.stride())];
  }
  NormalEquationsSolver solver;
  const auto fitted = solver.Solve(data, true);
  ASSERT_FALSE(fitted.has_value());
  EXPECT_EQ(fitted.error().code(), StatusCode::kFailedPrecondition);
}

TEST(SgdTest, ConvergesNearTheTruth) {
  const RegressionData data = Synthetic(100000, 8, 0.5);
  SgdSolver solver;
  const auto result =
      solver
          .Solve(
              data,
              {.learning_rate = 0.01, .batch_size = 64, .epochs = 2, .seed = 1, .intercept = true})
          .value();
  EXPECT_LT(MaxAbsCoefficientError(result.coefficients, *data.true_coefficients), 0.05);
  EXPECT_NEAR(result.final_epoch_train_mse, 0.25, 0.05);
}

TEST(SgdTest, SameSeedSameResult) {
  const RegressionData data = Synthetic(10000, 4, 0.5);
  SgdSolver solver;
  const SgdSettings settings{
      .learning_rate = 0.01, .batch_size = 32, .epochs = 1, .seed = 9, .intercept = true};
  EXPECT_EQ(solver.Solve(data, settings)->coefficients, solver.Solve(data, settings)->coefficients);
}

TEST(SgdTest, DivergenceIsReportedNotReturned) {
  const RegressionData data = Synthetic(10000, 4, 0.5);
  SgdSolver solver;
  const auto result = solver.Solve(
      data, {.learning_rate = 10, .batch_size = 16, .epochs = 1, .seed = 1, .intercept = true});
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().message().find("diverged"), std::string::npos);
}

}  // namespace
}  // namespace lepton::bench
