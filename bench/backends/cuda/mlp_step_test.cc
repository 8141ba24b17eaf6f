// The GPU's training step and forward pass (mlp_step.h) run on the host: every functor in a
// plain loop and every GEMM through a column-major reference with cuBLAS's argument
// conventions, after the same row-major to column-major mapping the CUDA engine uses. They must
// agree with the CPU model (cpu/mlp.cc), so the kernels' indexing and arithmetic are checked on
// machines without a GPU; cuda_backend_test.cc compares the real GPU where there is one.

#include "bench/backends/cuda/mlp_step.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include "bench/backends/cpu/mlp.h"
#include "bench/backends/cuda/host_device.h"
#include "bench/backends/model_factories.h"
#include "bench/models/mlp_batches.h"
#include "bench/models/mlp_model.h"
#include "bench/models/mlp_parameters.h"
#include "bench/workloads/mnist_mlp/mlp_data.h"

namespace lepton::bench::cuda {
namespace {

std::vector<float> RandomValues(std::size_t count, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> values(-1.0F, 1.0F);
  std::vector<float> out(count);
  for (float& v : out) v = values(rng);
  return out;
}

TEST(MlpStepTest, RowMajorGemmsThroughTheColumnMajorMappingAreRowMajorProducts) {
  constexpr int m = 5;
  constexpr int n = 3;
  constexpr int k = 4;
  for (const bool transpose_a : {false, true}) {
    for (const bool transpose_b : {false, true}) {
      // Leading dimensions wider than the rows, so a swapped ld shows.
      const int lda = (transpose_a ? m : k) + 2;
      const int ldb = (transpose_b ? k : n) + 1;
      const int ldc = n + 3;
      const std::vector<float> a = RandomValues(static_cast<std::size_t>(lda) * 8, 1);
      const std::vector<float> b = RandomValues(static_cast<std::size_t>(ldb) * 8, 2);
      std::vector<float> c = RandomValues(static_cast<std::size_t>(ldc) * m, 3);
      std::vector<float> expected = c;
      for (int i = 0; i < m; ++i) {
        for (int j = 0; j < n; ++j) {
          double sum = 0;
          for (int p = 0; p < k; ++p) {
            const float av = transpose_a ? a[p * lda + i] : a[i * lda + p];
            const float bv = transpose_b ? b[j * ldb + p] : b[p * ldb + j];
            sum += static_cast<double>(av) * bv;
          }
          expected[i * ldc + j] = static_cast<float>(sum + 0.5 * c[i * ldc + j]);
        }
      }
      ColumnMajorReferenceGemm(ToColumnMajor(RowMajorGemm{
          transpose_a, transpose_b, m, n, k, a.data(), lda, b.data(), ldb, 0.5F, c.data(), ldc}));
      for (std::size_t i = 0; i < c.size(); ++i) {
        EXPECT_NEAR(c[i], expected[i], 1e-5)
            << "transpose_a " << transpose_a << " transpose_b " << transpose_b << " element " << i;
      }
    }
  }
}

constexpr MlpShape kShape{.inputs = 12, .hidden = 7, .outputs = 4};
constexpr int kItems = 50;
constexpr int kBatch = 8;  // six full batches and a short one of two

struct TrainingSet {
  std::vector<std::uint8_t> pixels;
  std::vector<std::uint8_t> labels;
};

// Pixels 0..255 whose label is the brightest of four pixel groups: learnable, and with zero
// pixels (as MNIST's borders) whose gradients must stay exactly zero on both sides.
TrainingSet MakeTrainingSet() {
  std::mt19937_64 rng(11);
  TrainingSet set;
  for (int item = 0; item < kItems; ++item) {
    int sums[4] = {0, 0, 0, 0};
    for (int p = 0; p < kShape.inputs; ++p) {
      const auto value = static_cast<std::uint8_t>(p == 0 ? 0 : rng() % 256);
      set.pixels.push_back(value);
      sums[p % 4] += value;
    }
    set.labels.push_back(static_cast<std::uint8_t>(std::max_element(sums, sums + 4) - sums));
  }
  return set;
}

// The host-side stand-ins for the engine's device buffers.
struct HostBuffers {
  explicit HostBuffers(const TrainingSet& set)
      : pixels(set.pixels),
        labels(set.labels),
        order(kItems),
        params(InitialMlpParameters(kShape, 5)),
        grads(params.size()),
        adam_m(params.size()),
        adam_v(params.size()),
        x(static_cast<std::size_t>(kBatch) * kShape.inputs),
        batch_labels(kBatch),
        hidden(static_cast<std::size_t>(kBatch) * kShape.hidden),
        logits(static_cast<std::size_t>(kBatch) * kShape.outputs),
        dhidden(static_cast<std::size_t>(kBatch) * kShape.hidden),
        row_loss(kBatch),
        batch_loss(kItems) {}

  TrainingBuffers Training(int batch, const AdamScalars& adam, int first_row = 0) {
    return TrainingBuffers{MlpDims{kShape.inputs, kShape.hidden, kShape.outputs},
                           batch,
                           kBatch,
                           first_row,
                           adam,
                           pixels.data(),
                           labels.data(),
                           order.data(),
                           params.data(),
                           grads.data(),
                           adam_m.data(),
                           adam_v.data(),
                           x.data(),
                           batch_labels.data(),
                           hidden.data(),
                           logits.data(),
                           dhidden.data(),
                           row_loss.data(),
                           batch_loss.data(),
                           &state};
  }

  std::vector<std::uint8_t> pixels;
  std::vector<std::uint8_t> labels;
  std::vector<std::int32_t> order;
  std::vector<float> params;
  std::vector<float> grads;
  std::vector<float> adam_m;
  std::vector<float> adam_v;
  std::vector<float> x;
  std::vector<std::uint8_t> batch_labels;
  std::vector<float> hidden;
  std::vector<float> logits;
  std::vector<float> dhidden;
  std::vector<double> row_loss;
  std::vector<float> batch_loss;
  TrainingState state{};
};

TEST(MlpStepTest, TwoEpochsOfDeviceStepsMatchTheCpuModel) {
  const TrainingSet set = MakeTrainingSet();
  const AdamSettings adam{0.01F, 0.9F, 0.999F, 1e-8F};
  const AdamScalars scalars{adam.learning_rate, adam.beta1, adam.beta2, adam.epsilon};
  HostBuffers device_buffers(set);
  Mlp cpu(kShape, kBatch);
  cpu.Initialize(5);
  std::vector<float> x(static_cast<std::size_t>(kBatch) * kShape.inputs);
  std::vector<std::uint8_t> labels(kBatch);
  HostDevice device;
  for (std::uint64_t epoch = 0; epoch < 2; ++epoch) {
    ShuffleEpochOrder(3, epoch, device_buffers.order);
    ResetEpoch{&device_buffers.state}(0);
    int batches = 0;
    for (int start = 0; start < kItems; start += kBatch, ++batches) {
      const int rows = std::min(kBatch, kItems - start);
      EnqueueTrainingStep(device, device_buffers.Training(rows, scalars));
      GatherScaledRows(set.pixels, set.labels, kShape.inputs, device_buffers.order.data() + start,
                       rows, x.data(), labels.data());
      const Result<float> cpu_loss = cpu.TrainStep(x.data(), labels.data(), rows, adam);
      ASSERT_TRUE(cpu_loss.has_value()) << cpu_loss.error().ToString();
      EXPECT_NEAR(device_buffers.batch_loss[static_cast<std::size_t>(batches)], *cpu_loss,
                  1e-6 * std::abs(*cpu_loss))
          << "epoch " << epoch << " batch " << batches;
      for (std::size_t i = 0; i < device_buffers.params.size(); ++i) {
        ASSERT_NEAR(device_buffers.params[i], cpu.parameters()[i], 1e-6)
            << "epoch " << epoch << " batch " << batches << " parameter " << i;
      }
    }
    EXPECT_EQ(device_buffers.state.batch_in_epoch, batches);
  }
  EXPECT_EQ(device_buffers.state.adam_step, 14);
  // The zero pixel's weights never move on either side.
  const std::vector<float> initial = InitialMlpParameters(kShape, 5);
  for (int j = 0; j < kShape.hidden; ++j) {
    EXPECT_EQ(device_buffers.params[static_cast<std::size_t>(j)],
              initial[static_cast<std::size_t>(j)]);
  }
  // Eight kernels and five GEMMs a step: what one captured CUDA graph holds.
  EXPECT_EQ(device.gemms(), 14 * 5);
  EXPECT_EQ(device.launches(), 14 * 8);
}

// Alone (first row 0, the whole batch, no all-reduce) the split step is the fused training
// step to the last bit: the same functors in the same order, and a share of 1 scales nothing.
TEST(MlpStepTest, TheSplitStepOfOneRankIsTheFusedStepExactly) {
  const TrainingSet set = MakeTrainingSet();
  const AdamScalars scalars{0.01F, 0.9F, 0.999F, 1e-8F};
  HostBuffers fused(set);
  HostBuffers split(set);
  HostDevice device;
  for (std::uint64_t epoch = 0; epoch < 2; ++epoch) {
    ShuffleEpochOrder(3, epoch, fused.order);
    split.order = fused.order;
    ResetEpoch{&fused.state}(0);
    ResetEpoch{&split.state}(0);
    for (int start = 0; start < kItems; start += kBatch) {
      const int rows = std::min(kBatch, kItems - start);
      EnqueueTrainingStep(device, fused.Training(rows, scalars));
      EnqueueSliceGradients(device, split.Training(rows, scalars), rows);
      EnqueueAdamStep(device, split.Training(0, scalars));
      ASSERT_EQ(split.params, fused.params) << "epoch " << epoch << " batch at " << start;
      ASSERT_EQ(split.adam_v, fused.adam_v) << "epoch " << epoch << " batch at " << start;
    }
    EXPECT_EQ(split.state.batch_in_epoch, fused.state.batch_in_epoch);
  }
  EXPECT_EQ(split.state.adam_step, 14);
}

// Data parallel on the device's sequences, without a GPU: 2 to 4 simulated ranks, each with its
// own device buffers, run the gradient half (EnqueueSliceGradients, one rank's rows of every
// global batch), a host sum over the ranks stands in for the all-reduce, then each runs the Adam
// half (EnqueueAdamStep). The CPU model's split step (cpu_mlp_model.cc, what the CPU
// data-parallel workload runs) over the same ranks with the same sum is the reference. With
// 50 items in batches of 8 the last batch has 2 rows, so with 3 or 4 ranks some ranks have none.
TEST(MlpStepTest, DataParallelSplitStepsMatchTheCpuModelOverTwoToFourRanks) {
  const TrainingSet set = MakeTrainingSet();
  const AdamSettings adam{0.01F, 0.9F, 0.999F, 1e-8F};
  const AdamScalars scalars{adam.learning_rate, adam.beta1, adam.beta2, adam.epsilon};
  const std::size_t count = MlpLayout(kShape).count;
  // What the all-reduce (sum) leaves on every rank, summed in rank order.
  const auto all_reduce = [count](const std::vector<float*>& gradients) {
    std::vector<float> sum(count, 0.0F);
    for (const float* g : gradients) {
      for (std::size_t i = 0; i < count; ++i) sum[i] += g[i];
    }
    for (float* g : gradients) std::copy(sum.begin(), sum.end(), g);
  };
  for (const int ranks : {2, 3, 4}) {
    std::vector<std::unique_ptr<HostBuffers>> gpu;
    std::vector<std::unique_ptr<MlpModel>> cpu;
    for (int r = 0; r < ranks; ++r) {
      gpu.push_back(std::make_unique<HostBuffers>(set));
      auto model = MakeMlpModel(MlpModelOptions{"cpu", kShape, kBatch, MlpPrecision::kFp32});
      ASSERT_TRUE(model.has_value()) << model.error().ToString();
      ASSERT_TRUE((*model)->Initialize(5).ok());
      ASSERT_TRUE((*model)->SetTrainingSet(set.pixels, set.labels).ok());
      cpu.push_back(std::move(*model));
    }
    HostDevice device;
    std::vector<std::int32_t> order(kItems);
    int steps = 0;
    for (std::uint64_t epoch = 0; epoch < 2; ++epoch) {
      ShuffleEpochOrder(3, epoch, order);
      for (int r = 0; r < ranks; ++r) {
        gpu[r]->order = order;
        ResetEpoch{&gpu[r]->state}(0);
        ASSERT_TRUE(cpu[r]->BeginSplitEpoch(order, kBatch).ok());
      }
      for (int start = 0; start < kItems; start += kBatch, ++steps) {
        const int global = std::min(kBatch, kItems - start);
        std::vector<float*> gpu_gradients;
        std::vector<float*> cpu_gradients;
        for (int r = 0; r < ranks; ++r) {
          const int first = global * r / ranks;
          const int rows = global * (r + 1) / ranks - first;
          EnqueueSliceGradients(device, gpu[r]->Training(rows, scalars, first), global);
          const Status computed = cpu[r]->ComputeSliceGradients(first, rows);
          ASSERT_TRUE(computed.ok()) << computed.ToString();
          ASSERT_TRUE(cpu[r]->WaitForGradients().ok());
          gpu_gradients.push_back(gpu[r]->grads.data());
          cpu_gradients.push_back(cpu[r]->gradients());
        }
        all_reduce(gpu_gradients);
        all_reduce(cpu_gradients);
        for (std::size_t i = 0; i < count; ++i) {
          ASSERT_NEAR(gpu_gradients[0][i], cpu_gradients[0][i], 1e-6)
              << ranks << " ranks, step " << steps << ", gradient " << i;
        }
        for (int r = 0; r < ranks; ++r) {
          EnqueueAdamStep(device, gpu[r]->Training(0, scalars));
          ASSERT_TRUE(cpu[r]->ApplyAdam(adam).ok());
        }
        const Result<std::vector<float>> expected = cpu[0]->Parameters();
        ASSERT_TRUE(expected.has_value());
        for (std::size_t i = 0; i < count; ++i) {
          ASSERT_NEAR(gpu[0]->params[i], (*expected)[i], 1e-6)
              << ranks << " ranks, step " << steps << ", parameter " << i;
        }
        // Every rank applied the same update to the same sums: identical weights everywhere.
        for (int r = 1; r < ranks; ++r) {
          ASSERT_EQ(gpu[r]->params, gpu[0]->params) << ranks << " ranks, rank " << r;
          const Result<std::vector<float>> other = cpu[r]->Parameters();
          ASSERT_TRUE(other.has_value());
          ASSERT_EQ(*other, *expected) << ranks << " ranks, rank " << r;
        }
      }
      for (int r = 0; r < ranks; ++r) EXPECT_EQ(gpu[r]->state.batch_in_epoch, 7);
    }
    EXPECT_EQ(gpu[0]->state.adam_step, 14);
  }
}

TEST(MlpStepTest, TheForwardPassMatchesTheCpuModel) {
  const TrainingSet set = MakeTrainingSet();
  const std::vector<float> params = InitialMlpParameters(kShape, 9);
  Mlp cpu(kShape, kBatch);
  cpu.Initialize(9);
  std::vector<std::int32_t> items(kBatch);
  for (int i = 0; i < kBatch; ++i) items[static_cast<std::size_t>(i)] = 3 * i;
  std::vector<float> x(static_cast<std::size_t>(kBatch) * kShape.inputs);
  std::vector<std::uint8_t> labels(kBatch);
  GatherScaledRows(set.pixels, set.labels, kShape.inputs, items.data(), kBatch, x.data(),
                   labels.data());
  std::vector<float> expected(static_cast<std::size_t>(kBatch) * kShape.outputs);
  ASSERT_TRUE(cpu.Forward(x.data(), kBatch, expected.data()).ok());

  std::vector<float> hidden(static_cast<std::size_t>(kBatch) * kShape.hidden);
  std::vector<float> logits(expected.size(), 123.0F);  // stale values must not leak in
  HostDevice device;
  EnqueueForward(device,
                 ForwardBuffers{MlpDims{kShape.inputs, kShape.hidden, kShape.outputs}, kBatch,
                                params.data(), x.data(), hidden.data(), logits.data()});
  for (std::size_t i = 0; i < logits.size(); ++i) EXPECT_NEAR(logits[i], expected[i], 1e-6) << i;
}

}  // namespace
}  // namespace lepton::bench::cuda
