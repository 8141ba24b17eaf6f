#include "bench/workloads/mnist_mlp/split_training.h"

#include <gtest/gtest.h>

#include <vector>

#include "bench/workloads/collectives/fake_group_for_tests.h"
#include "bench/workloads/mnist_mlp/split_models_for_tests.h"

namespace lepton::bench {
namespace {

constexpr MlpShape kShape{16, 8, 4};

SplitTraining Training(std::int64_t epochs) {
  SplitTraining training;
  training.epochs = epochs;
  training.batch_size = 8;
  training.seed = 11;
  return training;
}

// A group of one takes every global batch whole and sums over itself: the alone rank's training
// exactly. 36 items in batches of 8 (the last short) for 25 epochs: 125 steps, 100 compared.
TEST(SplitTrainingTest, AGroupOfOneIsTheModelAloneExactly) {
  const SplitTestData data = MakeSplitTestData(kShape, 36, 1);
  auto alone = MakeSplitTestModel(data, 8, 2);
  auto grouped = MakeSplitTestModels(data, 1, 8, 2);
  ASSERT_TRUE(alone.has_value() && grouped.has_value());
  std::vector<std::int32_t> order(36);
  auto reference = TrainSplit(*MakeAloneRank(**alone), Training(25), order);
  ASSERT_TRUE(reference.has_value()) << reference.error().ToString();
  EXPECT_EQ(reference->equivalence_steps, kEquivalenceSteps);
  FakeGroup group(1);
  group.host_buffers_allowed = true;
  auto result = TrainSplit(*MakeGroupRanks(grouped->models, group), Training(25), order);
  ASSERT_TRUE(result.has_value()) << result.error().ToString();
  EXPECT_EQ(result->weights, reference->weights);
  EXPECT_EQ(result->equivalence_steps, kEquivalenceSteps);
  EXPECT_EQ((*alone)->Parameters().value(), grouped->models.front()->Parameters().value());
}

// Every rank of a group applies the same summed gradients, so all end with the same weights; a
// step limit stops early (the workload's untimed warm-up takes one step).
TEST(SplitTrainingTest, EveryRankOfAGroupEndsWithTheSameWeights) {
  const SplitTestData data = MakeSplitTestData(kShape, 36, 1);
  auto grouped = MakeSplitTestModels(data, 3, 8, 2);
  ASSERT_TRUE(grouped.has_value());
  FakeGroup group(3);
  group.host_buffers_allowed = true;
  auto ranks = MakeGroupRanks(grouped->models, group);
  std::vector<std::int32_t> order(36);
  SplitTraining one_step = Training(2);
  one_step.step_limit = 1;
  auto warm = TrainSplit(*ranks, one_step, order);
  ASSERT_TRUE(warm.has_value()) << warm.error().ToString();
  EXPECT_EQ(warm->equivalence_steps, 1);
  EXPECT_EQ(group.log, "S012EW");
  auto result = TrainSplit(*ranks, Training(2), order);
  ASSERT_TRUE(result.has_value()) << result.error().ToString();
  EXPECT_EQ(result->equivalence_steps, 10);  // 5 steps an epoch
  EXPECT_TRUE(group.violations.empty()) << group.violations.front();
  for (MlpModel* model : grouped->models) EXPECT_EQ(model->Parameters().value(), result->weights);
}

}  // namespace
}  // namespace lepton::bench
