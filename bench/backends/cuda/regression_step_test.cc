// The GPU's regression solvers (regression_step.h) run on the host through the test Device: the
// Gram matrix through the column-major SYRK mapping and SGD's kernels against the CPU solvers.

#include "bench/backends/cuda/regression_step.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "bench/backends/cuda/host_device.h"
#include "bench/workloads/linear_regression/block_order.h"
#include "bench/workloads/linear_regression/regression_data.h"
#include "bench/workloads/linear_regression/solvers.h"

namespace lepton::bench::cuda {
namespace {

RegressionData SmallData() {
  SyntheticSpec spec;
  spec.rows = 1030;
  spec.features = 5;
  spec.noise_sigma = 0.3;
  spec.holdout_fraction = 0.0;
  spec.seed = 42;
  auto data = GenerateSynthetic(spec);
  EXPECT_TRUE(data.has_value()) << data.error().ToString();
  return std::move(*data);
}

TEST(RegressionStepTest, TheGramMatrixThroughTheSyrkMappingIsTheCpus) {
  const RegressionData data = SmallData();
  const int k = data.stride();
  std::vector<double> expected;
  AugmentedGram(data.train.data(), data.train_rows, k, expected);
  std::vector<double> gram(static_cast<std::size_t>(k) * k, 0.0);
  HostDevice device;
  device.Syrk(
      AugmentedGramAsSyrk(data.train.data(), static_cast<int>(data.train_rows), k, gram.data()));
  for (int i = 0; i < k; ++i) {
    for (int j = i; j < k; ++j) {  // the row-major upper triangle the solver reads
      const double want = expected[static_cast<std::size_t>(i) * k + j];
      EXPECT_NEAR(gram[static_cast<std::size_t>(i) * k + j], want, 1e-12 * std::abs(want) + 1e-12)
          << i << "," << j;
    }
  }
}

TEST(RegressionStepTest, SgdKernelsFollowTheCpuSolverBatchForBatch) {
  const RegressionData data = SmallData();
  SgdSettings settings;
  settings.learning_rate = 0.05;
  settings.batch_size = 64;  // 1030 rows: 16 blocks, the ragged 6 rows dropped as on the CPU
  settings.epochs = 3;
  settings.seed = 9;
  settings.intercept = true;
  SgdSolver cpu;
  const Result<SgdResult> expected = cpu.Solve(data, settings);
  ASSERT_TRUE(expected.has_value()) << expected.error().ToString();

  const auto batch = static_cast<int>(settings.batch_size);
  const std::int64_t blocks = data.train_rows / batch;
  std::vector<std::int64_t> order(static_cast<std::size_t>(blocks));
  std::vector<double> weights(static_cast<std::size_t>(data.features), 0.0);
  std::vector<double> residual(static_cast<std::size_t>(batch));
  SgdState state{};
  const SgdBuffers buffers{data.train.data(),
                           data.stride(),
                           data.features,
                           batch,
                           order.data(),
                           settings.learning_rate / batch,
                           true,
                           weights.data(),
                           residual.data(),
                           &state};
  HostDevice device;
  for (std::int64_t epoch = 0; epoch < settings.epochs; ++epoch) {
    ShuffleBlockOrder(settings.seed, epoch, order);
    device.ForEach(1, SgdStartEpoch{&state});
    for (std::int64_t b = 0; b < blocks; ++b) EnqueueSgdBatch(device, buffers);
    EXPECT_EQ(state.batch_in_epoch, blocks);
  }
  for (int j = 0; j < data.features; ++j) {
    EXPECT_NEAR(weights[static_cast<std::size_t>(j)],
                expected->coefficients[static_cast<std::size_t>(j)], 1e-12)
        << "weight " << j;
  }
  EXPECT_NEAR(state.intercept, expected->coefficients.back(), 1e-12);
  EXPECT_NEAR(state.epoch_sum_squares / static_cast<double>(blocks * batch),
              expected->final_epoch_train_mse, 1e-12);
  // And it learned: the generator's coefficients are recovered roughly.
  ASSERT_TRUE(data.true_coefficients.has_value());
  for (int j = 0; j < data.features; ++j) {
    EXPECT_NEAR(weights[static_cast<std::size_t>(j)],
                (*data.true_coefficients)[static_cast<std::size_t>(j)], 0.1);
  }
}

}  // namespace
}  // namespace lepton::bench::cuda
