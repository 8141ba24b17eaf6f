#include "bench/comm/run_gpus.h"

#include <gtest/gtest.h>

#include <vector>

#include "bench/comm/self_communicator.h"

namespace lepton::bench {
namespace {

TEST(RunGpusTest, RanksShownOneGpuEachCountEveryGpuOnce) {
  // srun --gpus-per-task=1 on two 2-GPU nodes: four ranks, each seeing its own device.
  const std::vector<RankGpus> ranks = {{"a", {"0000:3b:00.0"}, 0},
                                       {"a", {"0000:5e:00.0"}, 0},
                                       {"b", {"0000:3b:00.0"}, 0},
                                       {"b", {"0000:5e:00.0"}, 0}};
  EXPECT_EQ(CountRunGpus(ranks), 4);
  EXPECT_EQ(SharedGpus(ranks), "");
}

TEST(RunGpusTest, RanksSeeingTheWholeNodeCountItsGpusOnce) {
  const std::vector<std::string> node = {"0000:3b:00.0", "0000:5e:00.0"};
  const std::vector<RankGpus> ranks = {{"a", node, 0}, {"a", node, 1}};
  EXPECT_EQ(CountRunGpus(ranks), 2);
  EXPECT_EQ(SharedGpus(ranks), "");
}

TEST(RunGpusTest, TwoRanksOnAOneGpuMachineShareItAndAreNamed) {
  const std::vector<RankGpus> ranks = {
      {"box", {"0000:3b:00.0"}, 0}, {"box", {"0000:3b:00.0"}, 0}, {"box", {"0000:3b:00.0"}, 0}};
  EXPECT_EQ(CountRunGpus(ranks), 1);
  EXPECT_EQ(SharedGpus(ranks), "ranks 0, 1 and 2 would all use GPU 0000:3b:00.0 on box");
  const std::vector<RankGpus> two(ranks.begin(), ranks.begin() + 2);
  EXPECT_EQ(SharedGpus(two), "ranks 0 and 1 would both use GPU 0000:3b:00.0 on box");
}

TEST(RunGpusTest, ADeviceWithoutABusIdCountsForEachRankThatSeesIt) {
  // It cannot be matched across ranks, so it is neither merged nor named as shared.
  const std::vector<RankGpus> ranks = {{"a", {""}, 0}, {"a", {""}, 0}};
  EXPECT_EQ(CountRunGpus(ranks), 2);
  EXPECT_EQ(SharedGpus(ranks), "");
}

TEST(RunGpusTest, NoGpusAnywhereIsZero) {
  const std::vector<RankGpus> ranks = {{"a", {}, -1}, {"b", {}, -1}};
  EXPECT_EQ(CountRunGpus(ranks), 0);
  EXPECT_EQ(SharedGpus(ranks), "");
}

TEST(RunGpusTest, EachRankTakesItsLocalRankOrItsOnlyGpu) {
  EXPECT_EQ(ChooseRankDevice(8, 3, 8).value(), 3);  // every rank sees the node's 8 GPUs
  EXPECT_EQ(ChooseRankDevice(8, 1, 2).value(), 1);  // two ranks on an 8-GPU node
  EXPECT_EQ(ChooseRankDevice(1, 3, 8).value(), 0);  // the launcher gave each rank one
  EXPECT_EQ(ChooseRankDevice(0, 2, 4).value(), 2);  // none: the backend says why
  EXPECT_EQ(ChooseRankDevice(1, 0, 1).value(), 0);
}

TEST(RunGpusTest, SeeingFewerGpusThanLocalRanksButMoreThanOneIsRefused) {
  const auto chosen = ChooseRankDevice(2, 3, 4);
  ASSERT_FALSE(chosen.has_value());
  EXPECT_EQ(chosen.error().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(chosen.error().message().find("local rank 3 of 4 on its node but sees 2 GPUs"),
            std::string::npos)
      << chosen.error().message();
}

TEST(RunGpusTest, AloneTheGatheredViewIsOwnView) {
  auto self = MakeSelfCommunicator();
  const RankGpus mine{"gpu-node", {"0000:3b:00.0", "", "0000:5e:00.0"}, 2};
  const auto views = GatherRankGpus(*self, mine);
  ASSERT_TRUE(views.has_value()) << views.error().ToString();
  ASSERT_EQ(views->size(), 1u);
  EXPECT_EQ((*views)[0].hostname, "gpu-node");
  EXPECT_EQ((*views)[0].pci_bus_ids, mine.pci_bus_ids);
  EXPECT_EQ((*views)[0].chosen, 2);
  EXPECT_EQ(CountRunGpus(*views), 3);
}

TEST(RunGpusTest, AViewLongerThanTheGatherAllowsIsAnError) {
  auto self = MakeSelfCommunicator();
  const RankGpus mine{"node", std::vector<std::string>(1000, "0000:3b:00.0"), 0};
  const auto views = GatherRankGpus(*self, mine);
  ASSERT_FALSE(views.has_value());
  EXPECT_NE(views.error().message().find("GPU list is longer"), std::string::npos);
}

}  // namespace
}  // namespace lepton::bench
