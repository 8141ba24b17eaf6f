#include "bench/backends/cpu/mlp.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

namespace lepton::bench {
namespace {

constexpr MlpShape kSmall{.inputs = 6, .hidden = 5, .outputs = 3};

struct Batch {
  std::vector<float> x;
  std::vector<std::uint8_t> labels;
};

// Inputs in [0, 1); the label is the argmax of three fixed linear scores, so a model can learn it.
Batch MakeBatch(int rows, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> unit(0.0F, 1.0F);
  Batch batch;
  for (int r = 0; r < rows; ++r) {
    float scores[3] = {0, 0, 0};
    for (int i = 0; i < kSmall.inputs; ++i) {
      const float v = unit(rng);
      batch.x.push_back(v);
      scores[i % 3] += v * (i < 3 ? 2.0F : 1.0F);
    }
    batch.labels.push_back(
        static_cast<std::uint8_t>(std::max_element(scores, scores + 3) - scores));
  }
  return batch;
}

double MeanLoss(Mlp& model, const Batch& batch, int rows) {
  std::vector<float> logits(static_cast<std::size_t>(rows) * kSmall.outputs);
  EXPECT_TRUE(model.Forward(batch.x.data(), rows, logits.data()).ok());
  double loss = 0;
  for (int r = 0; r < rows; ++r) {
    const float* z = logits.data() + static_cast<std::ptrdiff_t>(r) * kSmall.outputs;
    double max = *std::max_element(z, z + kSmall.outputs);
    double sum = 0;
    for (int c = 0; c < kSmall.outputs; ++c) sum += std::exp(z[c] - max);
    loss -= z[batch.labels[r]] - max - std::log(sum);
  }
  return loss / rows;
}

TEST(MlpTest, InitializationIsSeededAndBounded) {
  Mlp a(kSmall, 4);
  Mlp b(kSmall, 4);
  a.Initialize(7);
  b.Initialize(7);
  EXPECT_TRUE(std::equal(a.parameters().begin(), a.parameters().end(), b.parameters().begin()));
  const float bound = 1.0F / std::sqrt(6.0F);
  for (int i = 0; i < kSmall.inputs * kSmall.hidden; ++i)
    EXPECT_LE(std::abs(a.parameters()[i]), bound);
  b.Initialize(8);
  EXPECT_FALSE(std::equal(a.parameters().begin(), a.parameters().end(), b.parameters().begin()));
}

TEST(MlpTest, GradientsMatchFiniteDifferences) {
  Mlp model(kSmall, 8);
  model.Initialize(3);
  const Batch batch = MakeBatch(8, 11);
  ASSERT_TRUE(model.ComputeGradients(batch.x.data(), batch.labels.data(), 8).has_value());
  const std::vector<float> analytic(model.gradients().begin(), model.gradients().end());
  auto params = model.mutable_parameters();
  for (std::size_t i = 0; i < params.size(); ++i) {
    const float saved = params[i];
    const float h = 1e-3F;
    params[i] = saved + h;
    const double up = MeanLoss(model, batch, 8);
    params[i] = saved - h;
    const double down = MeanLoss(model, batch, 8);
    params[i] = saved;
    const double numeric = (up - down) / (2 * h);
    EXPECT_NEAR(analytic[i], numeric, 2e-3 + 2e-2 * std::abs(numeric)) << "parameter " << i;
  }
}

TEST(MlpTest, FirstAdamStepMovesEachParameterByTheLearningRate) {
  // After one step m_hat = g and v_hat = g^2, so every parameter with a gradient well above
  // epsilon moves by lr against the gradient's sign.
  Mlp model(kSmall, 8);
  model.Initialize(3);
  const Batch batch = MakeBatch(8, 11);
  ASSERT_TRUE(model.ComputeGradients(batch.x.data(), batch.labels.data(), 8).has_value());
  const std::vector<float> before(model.parameters().begin(), model.parameters().end());
  const std::vector<float> gradient(model.gradients().begin(), model.gradients().end());
  model.AdamUpdate(AdamSettings{});
  for (std::size_t i = 0; i < before.size(); ++i) {
    if (std::abs(gradient[i]) < 1e-4F) continue;
    EXPECT_NEAR(model.parameters()[i] - before[i], gradient[i] > 0 ? -0.001F : 0.001F, 1e-6F);
  }
}

TEST(MlpTest, TrainingLowersLossAndIsReproducible) {
  const Batch batch = MakeBatch(64, 5);
  const auto train = [&](std::vector<float>& out) {
    // Wider than kSmall: five ReLUs can die and stall on this task; 32 cannot all.
    Mlp model(MlpShape{.inputs = kSmall.inputs, .hidden = 32, .outputs = kSmall.outputs}, 64);
    model.Initialize(1);
    const double initial = MeanLoss(model, batch, 64);
    for (int step = 0; step < 300; ++step) {
      EXPECT_TRUE(model
                      .TrainStep(batch.x.data(), batch.labels.data(), 64,
                                 AdamSettings{.learning_rate = 0.01F})
                      .has_value());
    }
    out.assign(model.parameters().begin(), model.parameters().end());
    return std::pair(initial, MeanLoss(model, batch, 64));
  };
  std::vector<float> first;
  std::vector<float> second;
  const auto [initial, final_loss] = train(first);
  train(second);
  EXPECT_GT(initial, 0.9);  // about log(3) before training
  EXPECT_LT(final_loss, 0.1);
  EXPECT_EQ(first, second);
}

// TrainStep fuses Adam into the backward pass; the data-parallel workload runs ComputeGradients,
// an all-reduce and AdamUpdate. Both must give the same parameters bit for bit, for the reference
// shape and for one whose hidden units do not split into whole vectors, full and short batches.
TEST(MlpTest, TrainStepIsComputeGradientsThenAdamUpdateExactly) {
  for (const int hidden : {256, 40}) {
    const MlpShape shape{.inputs = 784, .hidden = hidden, .outputs = 10};
    constexpr int kRows = 64;
    std::mt19937_64 rng(9);
    std::uniform_real_distribution<float> unit(0.0F, 1.0F);
    std::vector<float> x(static_cast<std::size_t>(kRows) * shape.inputs);
    std::vector<std::uint8_t> labels(kRows);
    Mlp fused(shape, kRows);
    Mlp split(shape, kRows);
    fused.Initialize(5);
    split.Initialize(5);
    for (int step = 0; step < 6; ++step) {
      for (float& v : x) v = unit(rng) < 0.5F ? 0.0F : unit(rng);
      for (auto& label : labels) label = static_cast<std::uint8_t>(rng() % 10);
      const int rows = step % 2 == 0 ? kRows : 37;
      const auto fused_loss = fused.TrainStep(x.data(), labels.data(), rows, AdamSettings{});
      const auto split_loss = split.ComputeGradients(x.data(), labels.data(), rows);
      ASSERT_TRUE(fused_loss.has_value());
      ASSERT_TRUE(split_loss.has_value());
      split.AdamUpdate(AdamSettings{});
      EXPECT_EQ(*fused_loss, *split_loss) << "hidden " << hidden << ", step " << step;
      EXPECT_TRUE(std::ranges::equal(fused.gradients(), split.gradients()))
          << "hidden " << hidden << ", step " << step;
      EXPECT_TRUE(std::ranges::equal(fused.parameters(), split.parameters()))
          << "hidden " << hidden << ", step " << step;
    }
  }
}

TEST(MlpTest, RejectsOversizedBatch) {
  Mlp model(kSmall, 4);
  std::vector<float> x(std::size_t{5} * kSmall.inputs);
  std::vector<float> logits(std::size_t{5} * kSmall.outputs);
  EXPECT_EQ(model.Forward(x.data(), 5, logits.data()).code(), StatusCode::kInvalidArgument);
}

// The basis of data-parallel training: a batch's mean gradient is the share-weighted sum of its
// shards' mean gradients, whatever the split, to float32 rounding. Shapes of the reference MLP,
// so oneDNN takes the kernels it takes in training.
TEST(MlpTest, ABatchGradientIsTheShareWeightedSumOfItsShards) {
  const MlpShape shape{.inputs = 784, .hidden = 256, .outputs = 10};
  constexpr int kRows = 64;
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<float> unit(0.0F, 1.0F);
  std::vector<float> x(static_cast<std::size_t>(kRows) * shape.inputs);
  for (float& v : x) v = unit(rng) < 0.8F ? 0.0F : unit(rng);  // sparse, like digits
  std::vector<std::uint8_t> labels(kRows);
  for (auto& label : labels) label = static_cast<std::uint8_t>(rng() % 10);
  Mlp whole(shape, kRows);
  whole.Initialize(3);
  ASSERT_TRUE(whole.ComputeGradients(x.data(), labels.data(), kRows).has_value());
  const std::vector<float> expected(whole.gradients().begin(), whole.gradients().end());
  double norm = 0;
  for (float g : expected) norm += static_cast<double>(g) * g;
  for (const int shards : {2, 3, 4, 8}) {
    Mlp part(shape, kRows);
    part.Initialize(3);
    std::vector<double> sum(expected.size(), 0.0);
    for (int s = 0; s < shards; ++s) {
      const int first = kRows * s / shards;
      const int rows = kRows * (s + 1) / shards - first;
      ASSERT_TRUE(part.ComputeGradients(x.data() + static_cast<std::size_t>(first) * shape.inputs,
                                        labels.data() + first, rows)
                      .has_value());
      for (std::size_t i = 0; i < sum.size(); ++i) {
        sum[i] += static_cast<double>(part.gradients()[i]) * rows / kRows;
      }
    }
    double difference = 0;
    for (std::size_t i = 0; i < sum.size(); ++i) {
      difference += (sum[i] - expected[i]) * (sum[i] - expected[i]);
    }
    EXPECT_LT(std::sqrt(difference / norm), 1e-6) << shards << " shards";
  }
}

}  // namespace
}  // namespace lepton::bench
