#include "bench/workloads/linear_regression/linear_regression_workload.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace lepton::bench {
namespace {

std::map<std::string, spec::ParamValue> SyntheticParams() {
  return {{"dataset.source", std::string("synthetic")},
          {"dataset.rows", std::int64_t{20000}},
          {"dataset.features", std::int64_t{8}},
          {"dataset.noise_sigma", 0.5},
          {"dataset.holdout_fraction", 0.1},
          {"model.intercept", true},
          {"optimizer.name", std::string("sgd")},
          {"optimizer.lr", 0.01},
          {"batch_size", std::int64_t{64}},
          {"epochs", std::int64_t{2}},
          {"seed", std::int64_t{11}},
          {"precision", std::string("fp64")}};
}

Result<Metrics> RunOnce(Workload& workload) {
  LEPTON_RETURN_IF_ERROR(workload.BeginRun(0));
  LEPTON_RETURN_IF_ERROR(workload.RunStep(0));
  LEPTON_RETURN_IF_ERROR(workload.RunStep(1));
  const std::vector<double> seconds = {0.5, 2.0};
  return workload.FinishRun(seconds);
}

TEST(LinearRegressionWorkloadTest, ProducesEveryMetricOfItsSchema) {
  auto workload = MakeLinearRegressionWorkload();
  ASSERT_TRUE(workload->Prepare({SyntheticParams(), "cpu", {}, nullptr, {"dataset_sha256"}}).ok());
  EXPECT_EQ(workload->StepNames(), (std::vector<std::string>{"closed_form", "sgd"}));
  const auto metrics = RunOnce(*workload).value();
  EXPECT_TRUE(metrics.not_measured.empty());
  EXPECT_EQ(std::get<double>(metrics.values.at("rows")), 18000);
  // Rates come from the runner's times, not a clock of the workload's own.
  EXPECT_EQ(std::get<double>(metrics.values.at("rows_per_second")), 18000 / 0.5);
  // SGD drops the ragged last block: 281 batches of 64 rows per epoch, 2 epochs, in 2 s.
  EXPECT_EQ(std::get<double>(metrics.values.at("sgd_rows_per_second")), 281 * 64 * 2 / 2.0);
  EXPECT_LT(std::get<double>(metrics.values.at("coef_max_abs_error")), 0.02);
  EXPECT_LT(std::get<double>(metrics.values.at("sgd_coef_max_abs_error")), 0.05);
  // Signal variance |w|^2 ~ 8/3 against noise 0.25: R^2 near 0.9.
  EXPECT_GT(std::get<double>(metrics.values.at("holdout_r2")), 0.8);
  EXPECT_EQ(std::get<std::string>(metrics.values.at("dataset_sha256")).size(), 64u);
}

TEST(LinearRegressionWorkloadTest, DigestIsSkippedUnlessRequested) {
  auto workload = MakeLinearRegressionWorkload();
  ASSERT_TRUE(workload->Prepare({SyntheticParams(), "cpu", {}, nullptr}).ok());
  const auto metrics = RunOnce(*workload).value();
  EXPECT_FALSE(metrics.values.contains("dataset_sha256"));
  EXPECT_EQ(metrics.not_measured.at("dataset_sha256"), "no requirement of this profile reads it");
}

TEST(LinearRegressionWorkloadTest, RepeatedRunsGiveIdenticalQuality) {
  auto workload = MakeLinearRegressionWorkload();
  ASSERT_TRUE(workload->Prepare({SyntheticParams(), "cpu", {}, nullptr}).ok());
  const auto first = RunOnce(*workload).value();
  const auto second = RunOnce(*workload).value();
  EXPECT_EQ(first.values.at("sgd_coef_max_abs_error"), second.values.at("sgd_coef_max_abs_error"));
  EXPECT_EQ(first.values.at("coef_max_abs_error"), second.values.at("coef_max_abs_error"));
}

TEST(LinearRegressionWorkloadTest, CsvWithoutTruthLeavesCoefficientErrorNotMeasured) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("lepton_lr_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream out(dir / "data.csv");
    for (int i = 0; i < 200; ++i) out << i % 7 << "," << i % 11 << "," << 2 * (i % 7) + 1 << "\n";
  }
  auto params = SyntheticParams();
  params.erase("dataset.rows");
  params.erase("dataset.features");
  params.erase("dataset.noise_sigma");
  params["dataset.source"] = std::string("csv");
  params["dataset.path"] = std::string("data.csv");
  auto workload = MakeLinearRegressionWorkload();
  ASSERT_TRUE(workload->Prepare({params, "cpu", dir, nullptr}).ok());
  const auto metrics = RunOnce(*workload).value();
  EXPECT_EQ(metrics.not_measured.size(), 3u);  // both coefficient errors and the digest
  EXPECT_EQ(metrics.not_measured.at("coef_max_abs_error"),
            "the true coefficients of this CSV data are unknown (set dataset.coefficients)");
  EXPECT_NEAR(std::get<double>(metrics.values.at("holdout_r2")), 1.0, 1e-9);

  params["dataset.path"] = std::string("../escape.csv");
  auto escaped = MakeLinearRegressionWorkload();
  EXPECT_EQ(escaped->Prepare({params, "cpu", dir, nullptr}).code(), StatusCode::kInvalidArgument);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace lepton::bench
