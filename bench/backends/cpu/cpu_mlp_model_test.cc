// The CPU model's data-parallel split step (cpu_mlp_model.cc) against the loop the data-parallel
// workload ran on the oneDNN Mlp directly before the workload was written over MlpModel: bit for
// bit, so the CPU's data-parallel results did not change when the workload moved onto MlpModel.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include "bench/backends/cpu/mlp.h"
#include "bench/backends/model_factories.h"
#include "bench/models/mlp_model.h"
#include "bench/models/mlp_parameters.h"
#include "bench/workloads/mnist_mlp/mlp_data.h"

namespace lepton::bench {
namespace {

constexpr MlpShape kShape{.inputs = 40, .hidden = 16, .outputs = 5};
constexpr int kItems = 203;  // batches of 64: three full ones and a short one of 11
constexpr int kBatch = 64;

struct TrainingSet {
  std::vector<std::uint8_t> pixels;
  std::vector<std::uint8_t> labels;
};

TrainingSet MakeTrainingSet() {
  std::mt19937_64 rng(17);
  TrainingSet set;
  for (int item = 0; item < kItems; ++item) {
    int sums[5] = {};
    for (int p = 0; p < kShape.inputs; ++p) {
      const auto value = static_cast<std::uint8_t>(p % 7 == 0 ? 0 : rng() % 256);
      set.pixels.push_back(value);
      sums[p % 5] += value;
    }
    set.labels.push_back(static_cast<std::uint8_t>(std::max_element(sums, sums + 5) - sums));
  }
  return set;
}

// Every rank's buffer replaced by the sum over ranks, in rank order.
void SumOverRanks(const std::vector<float*>& gradients, std::size_t count) {
  std::vector<float> sum(count, 0.0F);
  for (const float* g : gradients) {
    for (std::size_t i = 0; i < count; ++i) sum[i] += g[i];
  }
  for (float* g : gradients) std::copy(sum.begin(), sum.end(), g);
}

// The workload's former Train(): for each rank an Mlp, its rows gathered, ComputeGradients,
// the gradient scaled by its share of the global batch (zeros for no rows), summed, AdamUpdate.
std::vector<float> FormerDataParallelLoop(const TrainingSet& set, int ranks, int epochs,
                                          const AdamSettings& adam) {
  std::vector<std::unique_ptr<Mlp>> models;
  for (int r = 0; r < ranks; ++r) {
    models.push_back(std::make_unique<Mlp>(kShape, kBatch));
    models.back()->Initialize(9);
  }
  std::vector<std::int32_t> order(kItems);
  std::vector<float> x(static_cast<std::size_t>(kBatch) * kShape.inputs);
  std::vector<std::uint8_t> labels(kBatch);
  for (int epoch = 0; epoch < epochs; ++epoch) {
    ShuffleEpochOrder(21, static_cast<std::uint64_t>(epoch), order);
    for (int start = 0; start < kItems; start += kBatch) {
      const int global = std::min(kBatch, kItems - start);
      std::vector<float*> gradients;
      for (int r = 0; r < ranks; ++r) {
        Mlp& model = *models[r];
        const int first = global * r / ranks;
        const int local = global * (r + 1) / ranks - first;
        GatherScaledRows(set.pixels, set.labels, kShape.inputs, order.data() + start + first, local,
                         x.data(), labels.data());
        if (local > 0) {
          EXPECT_TRUE(model.ComputeGradients(x.data(), labels.data(), local).has_value());
        }
        std::span<float> g = model.mutable_gradients();
        const float share = static_cast<float>(local) / static_cast<float>(global);
        if (local == 0) std::fill(g.begin(), g.end(), 0.0F);
        for (float& value : g) value *= share;
        gradients.push_back(g.data());
      }
      if (ranks > 1) SumOverRanks(gradients, MlpLayout(kShape).count);
      for (auto& model : models) model->AdamUpdate(adam);
    }
  }
  return {models[0]->parameters().begin(), models[0]->parameters().end()};
}

std::vector<float> SplitStepLoop(const TrainingSet& set, int ranks, int epochs,
                                 const AdamSettings& adam) {
  std::vector<std::unique_ptr<MlpModel>> models;
  for (int r = 0; r < ranks; ++r) {
    auto model = MakeMlpModel(MlpModelOptions{"cpu", kShape, kBatch, MlpPrecision::kFp32});
    EXPECT_TRUE(model.has_value());
    EXPECT_TRUE((*model)->Initialize(9).ok());
    EXPECT_TRUE((*model)->SetTrainingSet(set.pixels, set.labels).ok());
    models.push_back(std::move(*model));
  }
  std::vector<std::int32_t> order(kItems);
  for (int epoch = 0; epoch < epochs; ++epoch) {
    ShuffleEpochOrder(21, static_cast<std::uint64_t>(epoch), order);
    for (auto& model : models) EXPECT_TRUE(model->BeginSplitEpoch(order, kBatch).ok());
    for (int start = 0; start < kItems; start += kBatch) {
      const int global = std::min(kBatch, kItems - start);
      std::vector<float*> gradients;
      for (int r = 0; r < ranks; ++r) {
        const int first = global * r / ranks;
        const Status computed =
            models[r]->ComputeSliceGradients(first, global * (r + 1) / ranks - first);
        EXPECT_TRUE(computed.ok()) << computed.ToString();
        EXPECT_TRUE(models[r]->WaitForGradients().ok());
        gradients.push_back(models[r]->gradients());
      }
      if (ranks > 1) SumOverRanks(gradients, MlpLayout(kShape).count);
      for (auto& model : models) EXPECT_TRUE(model->ApplyAdam(adam).ok());
    }
  }
  return models[0]->Parameters().value_or(std::vector<float>{});
}

TEST(CpuMlpModelTest, TheSplitStepIsTheFormerDataParallelLoopBitForBit) {
  const TrainingSet set = MakeTrainingSet();
  const AdamSettings adam{0.003F, 0.9F, 0.999F, 1e-8F};
  for (const int ranks : {1, 2, 3, 4, 8}) {
    const std::vector<float> former = FormerDataParallelLoop(set, ranks, 2, adam);
    const std::vector<float> split = SplitStepLoop(set, ranks, 2, adam);
    ASSERT_EQ(split.size(), former.size());
    EXPECT_EQ(split, former) << ranks << " ranks";
  }
}

// One rank taking every global batch whole is TrainEpoch's training exactly.
TEST(CpuMlpModelTest, TheSplitStepOfOneRankIsTrainEpoch) {
  const TrainingSet set = MakeTrainingSet();
  const AdamSettings adam{0.003F, 0.9F, 0.999F, 1e-8F};
  auto model = MakeMlpModel(MlpModelOptions{"cpu", kShape, kBatch, MlpPrecision::kFp32});
  ASSERT_TRUE(model.has_value());
  ASSERT_TRUE((*model)->Initialize(9).ok());
  ASSERT_TRUE((*model)->SetTrainingSet(set.pixels, set.labels).ok());
  std::vector<std::int32_t> order(kItems);
  for (int epoch = 0; epoch < 2; ++epoch) {
    ShuffleEpochOrder(21, static_cast<std::uint64_t>(epoch), order);
    ASSERT_TRUE((*model)->TrainEpoch(order, kBatch, adam).has_value());
  }
  EXPECT_EQ(SplitStepLoop(set, 1, 2, adam), (*model)->Parameters().value());
}

TEST(CpuMlpModelTest, TheSplitStepRefusesSlicesOutsideTheBatchAndStepsPastTheEpoch) {
  const TrainingSet set = MakeTrainingSet();
  auto model = MakeMlpModel(MlpModelOptions{"cpu", kShape, kBatch, MlpPrecision::kFp32});
  ASSERT_TRUE(model.has_value());
  MlpModel& m = **model;
  ASSERT_TRUE(m.Initialize(9).ok());
  ASSERT_TRUE(m.SetTrainingSet(set.pixels, set.labels).ok());
  std::vector<std::int32_t> order(kItems);
  ShuffleEpochOrder(21, 0, order);
  EXPECT_EQ(m.ComputeSliceGradients(0, 1).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(m.BeginSplitEpoch(std::span(order).first(10), kBatch).code(),
            StatusCode::kInvalidArgument);
  ASSERT_TRUE(m.BeginSplitEpoch(order, kBatch).ok());
  EXPECT_EQ(m.ComputeSliceGradients(60, 5).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(m.ComputeSliceGradients(-1, 5).code(), StatusCode::kInvalidArgument);
  for (int batch = 0; batch < 3; ++batch) ASSERT_TRUE(m.ComputeSliceGradients(32, 32).ok());
  // The fourth global batch is the short one of 11 rows.
  EXPECT_EQ(m.ComputeSliceGradients(0, 12).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(m.ComputeSliceGradients(11, 0).ok());
  ASSERT_TRUE(m.WaitForGradients().ok());  // the CPU computed them already
  const float* g = m.gradients();
  EXPECT_TRUE(std::all_of(g, g + MlpLayout(kShape).count, [](float v) { return v == 0.0F; }));
  EXPECT_EQ(m.ComputeSliceGradients(0, 1).code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace lepton::bench
