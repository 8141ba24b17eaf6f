#include "bench/workloads/collectives/collective_ops.h"

#include <gtest/gtest.h>

#include "bench/comm/self_communicator.h"

namespace lepton::bench {
namespace {

TEST(CollectiveOpsTest, BusBandwidthFactorsAreNcclTests) {
  EXPECT_DOUBLE_EQ(BusBandwidthFactor(CollectiveKind::kAllReduce, 4), 1.5);
  EXPECT_DOUBLE_EQ(BusBandwidthFactor(CollectiveKind::kAllReduce, 1), 0.0);
  EXPECT_DOUBLE_EQ(BusBandwidthFactor(CollectiveKind::kAllGather, 4), 0.75);
  EXPECT_DOUBLE_EQ(BusBandwidthFactor(CollectiveKind::kReduceScatter, 2), 0.5);
  EXPECT_DOUBLE_EQ(BusBandwidthFactor(CollectiveKind::kAllToAll, 8), 0.875);
  EXPECT_DOUBLE_EQ(BusBandwidthFactor(CollectiveKind::kBroadcast, 8), 1.0);
  EXPECT_DOUBLE_EQ(BusBandwidthFactor(CollectiveKind::kReduce, 8), 1.0);
  EXPECT_DOUBLE_EQ(BusBandwidthFactor(CollectiveKind::kSendRecv, 8), 1.0);
}

TEST(CollectiveOpsTest, NamesRoundTrip) {
  for (CollectiveKind kind : AllCollectives()) {
    EXPECT_EQ(CollectiveFromName(CollectiveName(kind)), kind);
  }
  EXPECT_EQ(CollectiveFromName("all_reduce"), std::nullopt);
}

TEST(CollectiveOpsTest, MessageBytesCountTheGatheredWholeAsNcclTestsDoes) {
  EXPECT_EQ(CollectiveCase(CollectiveKind::kAllReduce, 256, false, 0, 4).MessageBytes(), 1024u);
  EXPECT_EQ(CollectiveCase(CollectiveKind::kAllGather, 256, false, 0, 4).MessageBytes(), 4096u);
  EXPECT_EQ(CollectiveCase(CollectiveKind::kAllToAll, 256, true, 3, 4).MessageBytes(), 4096u);
  EXPECT_EQ(CollectiveCase(CollectiveKind::kSendRecv, 256, true, 3, 4).MessageBytes(), 1024u);
}

TEST(CollectiveOpsTest, ExactInputsAreSmallPositiveIntegers) {
  for (int rank = 0; rank < 64; ++rank) {
    for (std::size_t i = 0; i < 5000; i += 7) {
      const float value = ExactInput(rank, i);
      EXPECT_GE(value, 1.0F);
      EXPECT_LE(value, 257.0F);
      EXPECT_EQ(value, static_cast<float>(static_cast<int>(value)));
    }
  }
  EXPECT_NE(ExactInput(0, 0), ExactInput(1, 0));
  EXPECT_NE(ExactInput(0, 0), ExactInput(0, 1));
}

class EveryCollectiveTest : public ::testing::TestWithParam<std::tuple<CollectiveKind, bool>> {};

TEST_P(EveryCollectiveTest, OneRankGivesExactResults) {
  const auto [kind, in_place] = GetParam();
  auto self = MakeSelfCommunicator();
  for (std::size_t block : {1u, 7u, 1000u}) {
    CollectiveCase collective(kind, block, in_place, 0, 1);
    collective.Fill();
    ASSERT_TRUE(collective.Run(*self).ok());
    EXPECT_EQ(collective.CountWrong(), 0) << CollectiveName(kind) << " block " << block;
  }
}

// The check can fail: before the collective runs, the results are the unwritten sentinel.
// (In place, with one rank, the untouched input is already the right result.)
TEST(CollectiveOpsTest, ResultsNotWrittenAreCountedWrong) {
  for (CollectiveKind kind : AllCollectives()) {
    CollectiveCase collective(kind, 100, false, 0, 1);
    collective.Fill();
    EXPECT_EQ(collective.CountWrong(), 100) << CollectiveName(kind);
  }
}

INSTANTIATE_TEST_SUITE_P(AllOps, EveryCollectiveTest,
                         ::testing::Combine(::testing::ValuesIn(AllCollectives().begin(),
                                                                AllCollectives().end()),
                                            ::testing::Bool()),
                         [](const auto& test_info) {
                           return std::string(CollectiveName(std::get<0>(test_info.param))) +
                                  (std::get<1>(test_info.param) ? "_in_place" : "_out_of_place");
                         });

}  // namespace
}  // namespace lepton::bench
