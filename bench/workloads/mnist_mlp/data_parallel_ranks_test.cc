#include "bench/workloads/mnist_mlp/data_parallel_ranks.h"

#include <gtest/gtest.h>

#include <vector>

#include "bench/comm/self_communicator.h"
#include "bench/workloads/collectives/fake_group_for_tests.h"
#include "bench/workloads/mnist_mlp/split_models_for_tests.h"

namespace lepton::bench {
namespace {

constexpr MlpShape kShape{12, 5, 3};
constexpr int kBatch = 6;

// Each model's gradients of its third of the first global batch.
std::vector<std::vector<float>> SliceGradients(const std::vector<MlpModel*>& models) {
  std::vector<std::int32_t> order(kBatch);
  for (int i = 0; i < kBatch; ++i) order[static_cast<std::size_t>(i)] = i;
  std::vector<std::vector<float>> gradients;
  const int n = static_cast<int>(models.size());
  const std::size_t count = MlpLayout(kShape).count;
  for (int r = 0; r < n; ++r) {
    MlpModel& model = *models[static_cast<std::size_t>(r)];
    EXPECT_TRUE(model.BeginSplitEpoch(order, kBatch).ok());
    EXPECT_TRUE(model.ComputeSliceGradients(kBatch * r / n, kBatch / n).ok());
    EXPECT_TRUE(model.WaitForGradients().ok());
    gradients.emplace_back(model.gradients(), model.gradients() + count);
  }
  return gradients;
}

TEST(DataParallelRanksTest, AGroupSumsEveryRanksGradientsInOneGroupCallAndOneWait) {
  const SplitTestData data = MakeSplitTestData(kShape, kBatch, 3);
  auto models = MakeSplitTestModels(data, 3, kBatch, 7);
  ASSERT_TRUE(models.has_value()) << models.error().ToString();
  FakeGroup group(3);
  group.host_buffers_allowed = true;
  auto ranks = MakeGroupRanks(models->models, group);
  EXPECT_EQ(ranks->size(), 3);
  EXPECT_EQ(ranks->first_rank(), 0);
  EXPECT_EQ(ranks->models().size(), 3U);
  const std::vector<std::vector<float>> slices = SliceGradients(models->models);
  ASSERT_TRUE(ranks->SumGradients().ok());
  EXPECT_EQ(group.log, "S012EW");
  for (std::size_t i = 0; i < slices.front().size(); ++i) {
    // The fake sums in double in rank order and rounds once.
    const auto sum = static_cast<float>(static_cast<double>(slices[0][i]) + slices[1][i] +
                                        static_cast<double>(slices[2][i]));
    for (MlpModel* model : models->models) ASSERT_EQ(model->gradients()[i], sum) << i;
  }
}

TEST(DataParallelRanksTest, ARefusedRankCallStillClosesTheGroupAndIsTheError) {
  const SplitTestData data = MakeSplitTestData(kShape, kBatch, 3);
  auto models = MakeSplitTestModels(data, 2, kBatch, 7);
  ASSERT_TRUE(models.has_value());
  FakeGroup group(2);  // host buffers refused: rank 0's call fails
  const Status status = MakeGroupRanks(models->models, group)->SumGradients();
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("not on its device"), std::string::npos) << status.message();
  EXPECT_EQ(group.log, "SE");  // closed, and nothing waited for
}

TEST(DataParallelRanksTest, OneRankPerProcessAllReducesOverItsCommunicator) {
  const SplitTestData data = MakeSplitTestData(kShape, kBatch, 3);
  auto model = MakeSplitTestModel(data, kBatch, 7);
  ASSERT_TRUE(model.has_value());
  auto self = MakeSelfCommunicator();
  auto ranks = MakeProcessRank(**model, *self);
  EXPECT_EQ(ranks->size(), 1);
  const std::vector<std::vector<float>> slices = SliceGradients({model->get()});
  ASSERT_TRUE(ranks->SumGradients().ok());
  EXPECT_EQ(std::vector<float>((*model)->gradients(), (*model)->gradients() + slices[0].size()),
            slices[0]);
}

}  // namespace
}  // namespace lepton::bench
