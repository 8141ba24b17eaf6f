#include "bench/workloads/collectives/collective_ops.h"

#include <gtest/gtest.h>

#include "bench/comm/bfloat16.h"
#include "bench/comm/self_communicator.h"
#include "bench/workloads/collectives/collective_cases_for_tests.h"

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
  EXPECT_EQ(CollectiveCase(CollectiveKind::kAllReduce, 256, false, 0, 4, DataType::kBfloat16)
                .MessageBytes(),
            512u);
  EXPECT_EQ(CollectiveCase(CollectiveKind::kAllGather, 256, true, 1, 4, DataType::kBfloat16)
                .MessageBytes(),
            2048u);
}

TEST(CollectiveOpsTest, TypesAreNamedAsInSpecs) {
  EXPECT_EQ(CollectiveTypeFromName("float32"), DataType::kFloat32);
  EXPECT_EQ(CollectiveTypeFromName("bf16"), DataType::kBfloat16);
  EXPECT_EQ(CollectiveTypeFromName("float64"), std::nullopt);  // not swept
  EXPECT_EQ(DataTypeSize(DataType::kBfloat16), 2u);
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

// bf16 has an 8-bit significand: the inputs are integers of at most 256 (exact), and a
// reduction's inputs over all ranks sum to at most 256, so every partial sum in any order is an
// exact integer too (all are non-negative). Data movement keeps distinct values per rank.
TEST(CollectiveOpsTest, Bfloat16InputsKeepEverySumExact) {
  for (const int ranks : {1, 2, 3, 4, 8, 100, 128, 129, 256, 257, 1000}) {
    for (const CollectiveKind kind : AllCollectives()) {
      int bad = 0;
      for (std::size_t i = 0; i < 2100; i += 13) {
        double sum = 0;
        for (int r = 0; r < ranks; ++r) {
          const double value = ExactInput(kind, DataType::kBfloat16, r, ranks, i);
          const bool exact = Bfloat16ToFloat(FloatToBfloat16(static_cast<float>(value))) == value;
          if (!exact || value < 0 || value > 256 || value != static_cast<int>(value)) ++bad;
          sum += value;
        }
        if (Reduces(kind) && (sum > 256 || sum < 1)) ++bad;
      }
      EXPECT_EQ(bad, 0) << CollectiveName(kind) << " over " << ranks << " ranks";
    }
  }
  EXPECT_NE(ExactInput(CollectiveKind::kAllGather, DataType::kBfloat16, 0, 4, 0),
            ExactInput(CollectiveKind::kAllGather, DataType::kBfloat16, 1, 4, 0));
  EXPECT_NE(ExactInput(CollectiveKind::kAllReduce, DataType::kBfloat16, 0, 2, 0),
            ExactInput(CollectiveKind::kAllReduce, DataType::kBfloat16, 0, 2, 1));
  // float32 keeps its inputs whatever the operation.
  EXPECT_EQ(ExactInput(CollectiveKind::kAllReduce, DataType::kFloat32, 3, 4, 5), ExactInput(3, 5));
}

class EveryCollectiveTest : public ::testing::TestWithParam<CollectiveCaseParam> {};

TEST_P(EveryCollectiveTest, OneRankGivesExactResults) {
  const auto [kind, in_place, type] = GetParam();
  auto self = MakeSelfCommunicator();
  for (std::size_t block : {1u, 7u, 1000u}) {
    CollectiveCase collective(kind, block, in_place, 0, 1, type);
    collective.Fill();
    ASSERT_TRUE(collective.Run(*self).ok());
    EXPECT_EQ(collective.CountWrong(), 0) << CollectiveName(kind) << " block " << block;
  }
}

// The check can fail: before the collective runs, the results are the unwritten sentinel.
// (In place, with one rank, the untouched input is already the right result.)
TEST(CollectiveOpsTest, ResultsNotWrittenAreCountedWrong) {
  for (const DataType type : {DataType::kFloat32, DataType::kBfloat16}) {
    for (CollectiveKind kind : AllCollectives()) {
      CollectiveCase collective(kind, 100, false, 0, 1, type);
      collective.Fill();
      EXPECT_EQ(collective.CountWrong(), 100) << CollectiveName(kind);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllOps, EveryCollectiveTest, EveryCollectiveCase(), CollectiveCaseName);

}  // namespace
}  // namespace lepton::bench
