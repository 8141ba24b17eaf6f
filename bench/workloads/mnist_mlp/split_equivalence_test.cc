#include "bench/workloads/mnist_mlp/split_equivalence.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "bench/models/mlp_parameters.h"
#include "bench/workloads/collectives/fake_group_for_tests.h"
#include "bench/workloads/mnist_mlp/split_models_for_tests.h"

namespace lepton::bench {
namespace {

constexpr MlpShape kShape{16, 8, 4};
constexpr int kSteps = 10;  // two epochs of 36 items in global batches of 8, the last short

SplitTraining Training() {
  SplitTraining training;
  training.epochs = 2;
  training.batch_size = 8;
  training.seed = 11;
  return training;
}

Result<std::vector<float>> HostGradients(MlpModel& model) {
  const std::size_t count = MlpLayout(model.shape()).count;
  return std::vector<float>(model.gradients(), model.gradients() + count);
}

// Sums as the ranks it wraps do, then changes every driven model's summed gradients as
// `fault(step, gradients, count)` says: a fault of the split the tests must see.
class FaultyRanks final : public DataParallelRanks {
 public:
  using Fault = std::function<void(int step, float* gradients, std::size_t count)>;
  FaultyRanks(DataParallelRanks& ranks, Fault fault)
      : DataParallelRanks(std::vector<MlpModel*>(ranks.models().begin(), ranks.models().end()),
                          ranks.first_rank(), ranks.size()),
        ranks_(ranks),
        fault_(std::move(fault)) {}
  Status SumGradients() override {
    LEPTON_RETURN_IF_ERROR(ranks_.SumGradients());
    ++step_;
    for (MlpModel* model : models()) {
      fault_(step_, model->gradients(), MlpLayout(model->shape()).count);
    }
    return OkStatus();
  }

 private:
  DataParallelRanks& ranks_;
  Fault fault_;
  int step_ = 0;
};

// The single-rank reference and three ranks of a fake group, all from the same seed on the same
// 36 seeded items.
struct TracedTraining {
  TracedTraining() { group.host_buffers_allowed = true; }
  SplitTestData data = MakeSplitTestData(kShape, 36, 1);
  Result<std::unique_ptr<MlpModel>> alone = MakeSplitTestModel(data, 8, 2);
  Result<SplitTestModels> ranks = MakeSplitTestModels(data, 3, 8, 2);
  FakeGroup group{3};
  std::vector<std::int32_t> order = std::vector<std::int32_t>(36);

  Result<EquivalenceTrace> Trace(DataParallelRanks* faulty = nullptr) {
    if (!alone.has_value() || !ranks.has_value())
      return std::unexpected(InternalError("no models"));
    LEPTON_ASSIGN_OR_RETURN(
        const ReferenceTrace reference,
        TraceReference(*MakeAloneRank(**alone), Training(), order, HostGradients, kSteps));
    if (reference.weights.size() != kSteps + 1)
      return std::unexpected(InternalError("a short reference trace"));
    const auto parallel = MakeGroupRanks(ranks->models, group);
    return TraceAgainstReference(faulty != nullptr ? *faulty : *parallel, Training(), order,
                                 HostGradients, kSteps, &reference,
                                 {.pixels = data.pixels, .labels = data.labels});
  }
};

TEST(SplitEquivalenceTest, ASoundSplitFollowsTheSingleRankRunToRounding) {
  TracedTraining traced;
  auto trace = traced.Trace();
  ASSERT_TRUE(trace.has_value()) << trace.error().ToString();
  EXPECT_EQ(trace->steps, kSteps);
  ASSERT_EQ(trace->weights_rel_l2.size(), static_cast<std::size_t>(kSteps));
  EXPECT_LT(trace->first_gradient_rel_l2, 1e-6);
  for (double difference : trace->weights_rel_l2) EXPECT_LT(difference, kWeightsAgreement);
  EXPECT_EQ(trace->divergence_step, 0);
  EXPECT_EQ(trace->at_divergence.count, 0);
}

// Each rank's share left out of the sum (every gradient three times the global one): Adam's
// step does not change with the gradient's scale, so the weights still agree after the first
// step; the first step's gradient is what sees it.
TEST(SplitEquivalenceTest, AMissingShareIsSeenByTheGradientThoughTheWeightsAgree) {
  TracedTraining traced;
  ASSERT_TRUE(traced.ranks.has_value());
  const auto parallel = MakeGroupRanks(traced.ranks->models, traced.group);
  FaultyRanks unscaled(*parallel, [](int /*step*/, float* gradients, std::size_t count) {
    std::transform(gradients, gradients + count, gradients, [](float g) { return 3 * g; });
  });
  auto trace = traced.Trace(&unscaled);
  ASSERT_TRUE(trace.has_value()) << trace.error().ToString();
  EXPECT_NEAR(trace->first_gradient_rel_l2, 2.0, 1e-6);
  ASSERT_FALSE(trace->weights_rel_l2.empty());
  EXPECT_LT(trace->weights_rel_l2.front(), kWeightsAgreement);
}

// Half of every gradient lost from the fourth step on: the trace names that step, and no ReLU
// unit of its batch was on under one run's weights and off under the other's (the weights were
// still equal before it) or anywhere near its kink, so the parting is not rounding at a kink.
TEST(SplitEquivalenceTest, AFaultFromAStepOnIsNamedWithoutAReluCrossing) {
  TracedTraining traced;
  ASSERT_TRUE(traced.ranks.has_value());
  const auto parallel = MakeGroupRanks(traced.ranks->models, traced.group);
  FaultyRanks halved(*parallel, [](int step, float* gradients, std::size_t count) {
    if (step < 4) return;
    for (std::size_t i = 0; i < count; i += 2) gradients[i] = 0;
  });
  auto trace = traced.Trace(&halved);
  ASSERT_TRUE(trace.has_value()) << trace.error().ToString();
  EXPECT_EQ(trace->divergence_step, 4);
  EXPECT_EQ(trace->at_divergence.count, 0);
  EXPECT_GT(trace->at_divergence.min_relative_margin, 1e-5);
  EXPECT_GT(trace->weights_rel_l2.back(), kWeightsAgreement);
  // The last figures are of the weights both runs end with, past the parting too.
  const std::vector<float> parallel_after = traced.ranks->models.front()->Parameters().value();
  const std::vector<float> alone_after = (*traced.alone)->Parameters().value();
  EXPECT_EQ(trace->weights_rel_l2.back(), RelativeL2Difference(parallel_after, alone_after));
  EXPECT_EQ(trace->last_weights_max_rel, MaxRelativeDifference(parallel_after, alone_after));
}

// Parameters of kShape: W1 the identity on the first hidden units, b1 as given, the rest zero.
std::vector<float> ParametersWithBias(std::vector<float> bias) {
  const MlpLayout layout(kShape);
  std::vector<float> parameters(layout.count, 0.0F);
  for (int h = 0; h < kShape.hidden; ++h) {
    parameters[static_cast<std::size_t>(h) * kShape.hidden + static_cast<std::size_t>(h)] = 1;
  }
  std::copy(bias.begin(), bias.end(), parameters.begin() + static_cast<std::ptrdiff_t>(layout.b1));
  return parameters;
}

// x = (0.25, 0, ...): unit 0's pre-activation is 0.25 - 0.5 under both sets (off), unit 1's is
// +1e-9 under one and -1e-9 under the other (its bias alone), units 2-7 are 1 (on). One
// disagreement. Relative to their terms' sizes unit 1 is wholly off zero (1e-9 of 1e-9) and
// unit 0 nearest: 0.25 of 0.5 + 0.25.
TEST(SplitEquivalenceTest, CompareReluPatternCountsUnitsOnUnderOneWeightsOnly) {
  std::vector<float> x(kShape.inputs, 0.0F);
  x[0] = 0.25F;
  const std::vector<float> a = ParametersWithBias({-0.5F, 1e-9F, 1, 1, 1, 1, 1, 1});
  const std::vector<float> b = ParametersWithBias({-0.5F, -1e-9F, 1, 1, 1, 1, 1, 1});
  const ReluDisagreement different = CompareReluPattern(kShape, x, 1, a, b);
  EXPECT_EQ(different.count, 1);
  EXPECT_DOUBLE_EQ(different.min_relative_margin, 0.25 / 0.75);
  const ReluDisagreement same = CompareReluPattern(kShape, x, 1, a, a);
  EXPECT_EQ(same.count, 0);
  EXPECT_DOUBLE_EQ(same.min_relative_margin, 0.25 / 0.75);
}

// A unit whose terms nearly cancel: 0.5 x 1 + (-0.5 + 1e-8) leaves 1e-8 of terms summing to 1 in
// size, a margin at float32's rounding, though both sets agree that the unit is on.
TEST(SplitEquivalenceTest, CompareReluPatternMeasuresTheNearestApproachToTheKink) {
  std::vector<float> x(kShape.inputs, 0.0F);
  x[1] = 0.5F;
  const std::vector<float> a = ParametersWithBias({1, -0.5F + 1e-8F, 1, 1, 1, 1, 1, 1});
  const ReluDisagreement near = CompareReluPattern(kShape, x, 1, a, a);
  EXPECT_EQ(near.count, 0);
  const auto bias = static_cast<double>(-0.5F + 1e-8F);
  EXPECT_DOUBLE_EQ(near.min_relative_margin, (0.5 + bias) / (0.5 - bias));
  EXPECT_LT(near.min_relative_margin, 1e-7);
}

// 3-rank seed 4's shape: rounding-level differences, a 45x jump at step 3 that stays under the
// agreement, then growth of a few tens of percent a step until step 5 exceeds it.
TEST(PartingStepTest, TheLargestJumpBeforeTheAgreementIsLeftIsTheParting) {
  PartingStep parting;
  const std::vector<double> differences = {1e-7, 1.1e-7, 5e-6, 7e-6, 1.2e-5, 1e-3};
  std::vector<int> candidates;
  for (std::size_t k = 0; k < 5; ++k) {
    EXPECT_FALSE(parting.parted());
    const int step = static_cast<int>(k) + 1;
    if (parting.Observe(step, differences[k])) candidates.push_back(step);
  }
  EXPECT_TRUE(parting.parted());
  EXPECT_EQ(parting.step(), 3);
  EXPECT_EQ(candidates, (std::vector<int>{2, 3}));
}

// The first step is the parting only when it already leaves the agreement; from bit-equal
// weights, a rounding-level difference is no jump.
TEST(PartingStepTest, TheFirstStepAndBitEqualWeights) {
  PartingStep at_once;
  EXPECT_TRUE(at_once.Observe(1, 0.5));
  EXPECT_TRUE(at_once.parted());
  EXPECT_EQ(at_once.step(), 1);
  PartingStep from_equal;
  EXPECT_FALSE(from_equal.Observe(1, 0));
  from_equal.Observe(2, 0);
  from_equal.Observe(3, 2e-8);    // from none to below float32's roundoff: growth under 1
  from_equal.Observe(4, 2e-4);    // the fault
  from_equal.Observe(5, 2.2e-4);  // already past the agreement: nothing later counts
  EXPECT_TRUE(from_equal.parted());
  EXPECT_EQ(from_equal.step(), 4);
}

TEST(SplitEquivalenceTest, RelativeDifferencesAreToTheReference) {
  const std::vector<float> reference = {3, 4};
  const std::vector<float> other = {3, 5};
  EXPECT_DOUBLE_EQ(RelativeL2Difference(other, reference), 0.2);
  EXPECT_DOUBLE_EQ(MaxRelativeDifference(other, reference), 0.25);
  EXPECT_EQ(RelativeL2Difference(reference, reference), 0);
}

}  // namespace
}  // namespace lepton::bench
