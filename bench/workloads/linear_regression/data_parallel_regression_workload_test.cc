#include "bench/workloads/linear_regression/data_parallel_regression_workload.h"

#include <gtest/gtest.h>

#include "bench/backends/cpu/cpu_regression.h"
#include "bench/comm/self_communicator.h"
#include "bench/workloads/linear_regression/regression_sources.h"

namespace lepton::bench {
namespace {

WorkloadContext SmallProblem(Communicator* communicator) {
  WorkloadContext context;
  context.params = {
      {"dataset.rows", std::int64_t{5000}},
      {"dataset.features", std::int64_t{8}},
      {"dataset.noise_sigma", 0.5},
      {"dataset.holdout_fraction", 0.1},
      {"model.intercept", true},
      {"precision", std::string("fp64")},
      {"seed", std::int64_t{20261123}},
  };
  context.communicator = communicator;
  return context;
}

TEST(DataParallelRegressionTest, OneRankMatchesTheClosedFormSolverExactly) {
  auto self = MakeSelfCommunicator();
  auto workload = MakeDataParallelRegressionWorkload();
  ASSERT_TRUE(workload->Prepare(SmallProblem(self.get())).ok());
  ASSERT_EQ(workload->StepNames().size(), 2u);
  ASSERT_TRUE(workload->BeginRun(0).ok());
  for (std::size_t step = 0; step < 2; ++step) {
    ASSERT_TRUE(workload->RunStep(step).ok());
    ASSERT_TRUE(workload->AfterStep(step).ok());
  }
  const std::vector<double> seconds = {0.004, 0.002};
  auto metrics = workload->FinishRun(seconds);
  ASSERT_TRUE(metrics.has_value()) << metrics.error().ToString();
  EXPECT_EQ(std::get<double>(metrics->values.at("ranks")), 1.0);
  EXPECT_EQ(std::get<double>(metrics->values.at("rows")), 4500.0);
  EXPECT_DOUBLE_EQ(std::get<double>(metrics->values.at("rows_per_second")), 4500 / 0.002);
  EXPECT_DOUBLE_EQ(std::get<double>(metrics->values.at("single_rank_rows_per_second")),
                   4500 / 0.004);
  EXPECT_DOUBLE_EQ(std::get<double>(metrics->values.at("scaling_efficiency")), 2.0);
  // One block is all rows: the same DSYRK and Cholesky, bit for bit.
  EXPECT_EQ(std::get<double>(metrics->values.at("coef_max_rel_diff_single_rank")), 0.0);

  auto data = GenerateSynthetic(
      {.rows = 5000, .features = 8, .noise_sigma = 0.5, .holdout_fraction = 0.1, .seed = 20261123});
  ASSERT_TRUE(data.has_value());
  NormalEquationsSolver solver;
  auto expected = solver.Solve(*data, true);
  ASSERT_TRUE(expected.has_value());
  EXPECT_EQ(metrics->series.at("coefficients"), *expected);
  EXPECT_LT(std::get<double>(metrics->values.at("coef_max_abs_error")), 0.1);
}

TEST(DataParallelRegressionTest, BlockGramMatricesAddUpToTheWholeOne) {
  auto data = GenerateSynthetic(
      {.rows = 1000, .features = 3, .noise_sigma = 0.1, .holdout_fraction = 0.1, .seed = 5});
  ASSERT_TRUE(data.has_value());
  const int k = data->stride();
  std::vector<double> whole;
  std::vector<double> first;
  std::vector<double> second;
  AugmentedGram(data->train.data(), data->train_rows, k, whole);
  AugmentedGram(data->train.data(), 400, k, first);
  AugmentedGram(data->train.data() + 400 * k, data->train_rows - 400, k, second);
  for (int i = 0; i < k; ++i) {
    for (int j = i; j < k; ++j) {  // the upper triangle is what DSYRK writes
      const std::size_t at = static_cast<std::size_t>(i) * k + j;
      EXPECT_NEAR(first[at] + second[at], whole[at], 1e-9 * std::max(1.0, std::abs(whole[at])));
    }
  }
}

}  // namespace
}  // namespace lepton::bench
