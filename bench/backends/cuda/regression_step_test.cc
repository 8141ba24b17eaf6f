// The GPU's regression solvers (regression_step.h) run on the host through the test Device: the
// Gram matrix through the column-major SYRK mapping and SGD's kernels against the CPU solvers.

#include "bench/backends/cuda/regression_step.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "bench/backends/cpu/cpu_regression.h"
#include "bench/backends/cuda/host_device.h"
#include "bench/models/block_order.h"
#include "bench/workloads/linear_regression/regression_sources.h"

namespace lepton::bench::cuda {
namespace {

RegressionData SmallData(int features = 5, std::uint64_t seed = 42) {
  SyntheticSpec spec;
  spec.rows = 1030;
  spec.features = features;
  spec.noise_sigma = 0.3;
  spec.holdout_fraction = 0.0;
  spec.seed = seed;
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

struct SgdFit {
  std::vector<double> weights;
  SgdState state{};
  std::int64_t blocks = 0;
  int batch = 0;
};

// The GPU's SGD epochs (EnqueueSgdEpoch, or SgdEpochBlock with `threads` when given) through the
// host Device, over the CPU solver's block orders.
SgdFit FitOnTheHostDevice(const RegressionData& data, const SgdSettings& settings, int threads = 0,
                          bool reverse_threads = false) {
  SgdFit fit;
  fit.batch = static_cast<int>(settings.batch_size);
  fit.blocks = data.train_rows / fit.batch;
  std::vector<std::int64_t> order(static_cast<std::size_t>(fit.blocks));
  fit.weights.assign(static_cast<std::size_t>(data.features), 0.0);
  std::vector<double> residual(static_cast<std::size_t>(fit.batch));
  const SgdBuffers buffers{data.train.data(),  data.stride(),
                           data.features,      fit.batch,
                           order.data(),       settings.learning_rate / fit.batch,
                           settings.intercept, fit.weights.data(),
                           residual.data(),    &fit.state};
  HostDevice device;
  device.set_reverse_threads(reverse_threads);
  for (std::int64_t epoch = 0; epoch < settings.epochs; ++epoch) {
    ShuffleBlockOrder(settings.seed, epoch, order);
    device.ForEach(1, SgdStartEpoch{&fit.state});
    if (threads > 0) {
      device.ForBlock(SgdEpochBlock{SgdBlockBatch{buffers, threads}, fit.blocks});
    } else {
      EnqueueSgdEpoch(device, buffers, fit.blocks);
    }
    EXPECT_EQ(fit.state.batch_in_epoch, fit.blocks);
  }
  EXPECT_EQ(device.launches(),
            2 * settings.epochs);  // one for the epoch's start, one for its batches
  return fit;
}

SgdSettings SmallSgd() {
  SgdSettings settings;
  settings.learning_rate = 0.05;
  settings.batch_size = 64;  // 1030 rows: 16 blocks, the ragged 6 rows dropped as on the CPU
  settings.epochs = 3;
  settings.seed = 9;
  settings.intercept = true;
  return settings;
}

void ExpectTheCpuSolversFit(const RegressionData& data, const SgdSettings& settings,
                            const SgdFit& fit) {
  SgdSolver cpu;
  const Result<SgdResult> expected = cpu.Solve(data, settings);
  ASSERT_TRUE(expected.has_value()) << expected.error().ToString();
  for (int j = 0; j < data.features; ++j) {
    EXPECT_NEAR(fit.weights[static_cast<std::size_t>(j)],
                expected->coefficients[static_cast<std::size_t>(j)], 1e-12)
        << "weight " << j;
  }
  EXPECT_NEAR(fit.state.intercept, expected->coefficients.back(), 1e-12);
  EXPECT_NEAR(fit.state.epoch_sum_squares / static_cast<double>(fit.blocks * fit.batch),
              expected->final_epoch_train_mse, 1e-12);
}

TEST(RegressionStepTest, SgdKernelsFollowTheCpuSolverBatchForBatch) {
  const RegressionData data = SmallData();
  const SgdSettings settings = SmallSgd();
  const SgdFit fit = FitOnTheHostDevice(data, settings);
  ExpectTheCpuSolversFit(data, settings, fit);
  // And it learned: the generator's coefficients are recovered roughly.
  ASSERT_TRUE(data.true_coefficients.has_value());
  for (int j = 0; j < data.features; ++j) {
    EXPECT_NEAR(fit.weights[static_cast<std::size_t>(j)],
                (*data.true_coefficients)[static_cast<std::size_t>(j)], 0.1);
  }
}

// Blocks of other sizes: fewer threads than a batch has rows, a group of features that leaves
// threads idle (5 features in 8 threads), and more features than threads (20 in 8 or in 4).
TEST(RegressionStepTest, SgdBlocksOfAnySizeFollowTheCpuSolver) {
  const RegressionData narrow_data = SmallData();
  const RegressionData wide_data = SmallData(20, 43);
  SgdSettings settings = SmallSgd();
  settings.learning_rate = 0.02;
  for (const RegressionData* data : {&narrow_data, &wide_data}) {
    for (const int threads : {1, 4, 8, 32}) {
      SCOPED_TRACE(std::to_string(data->features) + " features, " + std::to_string(threads) +
                   " threads");
      ExpectTheCpuSolversFit(*data, settings, FitOnTheHostDevice(*data, settings, threads));
    }
  }
}

// A phase that read what another thread writes in the same phase would give another result
// with the threads run in another order; on the GPU it would race.
TEST(RegressionStepTest, NoSgdPhaseDependsOnTheOrderOfItsThreads) {
  const RegressionData data = SmallData();
  const SgdSettings settings = SmallSgd();
  const SgdFit forward = FitOnTheHostDevice(data, settings, kSgdBlockThreads, false);
  const SgdFit reverse = FitOnTheHostDevice(data, settings, kSgdBlockThreads, true);
  EXPECT_EQ(forward.weights, reverse.weights);
  EXPECT_EQ(forward.state.intercept, reverse.state.intercept);
  EXPECT_EQ(forward.state.epoch_sum_squares, reverse.state.epoch_sum_squares);
}

}  // namespace
}  // namespace lepton::bench::cuda
