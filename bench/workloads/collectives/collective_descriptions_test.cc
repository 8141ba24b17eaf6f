#include "bench/workloads/collectives/collective_descriptions.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

namespace lepton::bench {
namespace {

// Every enumerator, written out: the table must not silently drop one.
constexpr CollectiveKind kEveryKind[] = {
    CollectiveKind::kAllReduce, CollectiveKind::kAllGather, CollectiveKind::kReduceScatter,
    CollectiveKind::kBroadcast, CollectiveKind::kReduce,    CollectiveKind::kAllToAll,
    CollectiveKind::kSendRecv,
};

TEST(CollectiveDescriptionsTest, EveryKindHasItsOwnEntry) {
  ASSERT_EQ(CollectiveTable().size(), std::size(kEveryKind));
  for (const CollectiveKind kind : kEveryKind) {
    EXPECT_EQ(Describe(kind).kind, kind) << CollectiveName(kind);
  }
  ASSERT_EQ(AllCollectives().size(), CollectiveTable().size());
  for (std::size_t i = 0; i < CollectiveTable().size(); ++i) {
    EXPECT_EQ(AllCollectives()[i], CollectiveTable()[i].kind);
  }
}

TEST(CollectiveDescriptionsTest, NamesAreUniqueAndRoundTrip) {
  std::set<std::string_view> names;
  for (const CollectiveDescription& description : CollectiveTable()) {
    EXPECT_FALSE(description.name.empty());
    EXPECT_TRUE(names.insert(description.name).second) << "twice: " << description.name;
    EXPECT_EQ(FindCollective(description.name), &description);
    EXPECT_EQ(CollectiveFromName(description.name), description.kind);
    EXPECT_EQ(CollectiveName(description.kind), description.name);
    // Specs write them in lower case without separators, as nccl-tests' binaries are named.
    EXPECT_TRUE(std::all_of(description.name.begin(), description.name.end(), [](char c) {
      return c >= 'a' && c <= 'z';
    })) << description.name;
  }
  EXPECT_EQ(FindCollective("AllReduce"), nullptr);
  EXPECT_EQ(FindCollective(""), nullptr);
}

// nccl-tests: no bus traffic alone for the collectives that exchange with every peer; the
// rooted and point-to-point ones count their bytes once whatever the ranks.
TEST(CollectiveDescriptionsTest, BusBandwidthFactorsAtOneAndTwoRanks) {
  for (const CollectiveDescription& description : CollectiveTable()) {
    const double one = description.bus_bandwidth_factor(1);
    const double two = description.bus_bandwidth_factor(2);
    const bool every_peer =
        description.moves_rank_blocks || description.kind == CollectiveKind::kAllReduce;
    EXPECT_DOUBLE_EQ(one, every_peer ? 0.0 : 1.0) << description.name;
    const double expected_two =
        description.kind == CollectiveKind::kAllReduce ? 1.0 : (every_peer ? 0.5 : 1.0);
    EXPECT_DOUBLE_EQ(two, expected_two) << description.name;
    EXPECT_DOUBLE_EQ(BusBandwidthFactor(description.kind, 2), two);
  }
}

// The message is the larger of the two buffers (the gathered or scattered whole); in place one
// buffer holds both and the input and result slots stay inside it.
TEST(CollectiveDescriptionsTest, CountsAgreeWithTheMessageSize) {
  for (const CollectiveDescription& description : CollectiveTable()) {
    for (const int ranks : {1, 2, 3, 8}) {
      for (int rank = 0; rank < ranks; ++rank) {
        constexpr std::size_t kBlock = 5;
        const CollectiveCounts counts = description.counts(kBlock, rank, ranks);
        const std::size_t largest = std::max(counts.send, counts.recv);
        EXPECT_EQ(largest * sizeof(float),
                  MessageBytes(description.kind, kBlock, ranks, DataType::kFloat32))
            << description.name;
        EXPECT_EQ(largest, description.moves_rank_blocks ? kBlock * ranks : kBlock)
            << description.name;
        EXPECT_LE(counts.in_place_send_offset + counts.send, largest) << description.name;
        EXPECT_LE(counts.in_place_recv_offset + counts.recv, largest) << description.name;
      }
    }
  }
}

// With one rank every collective is a copy or a sum of one input: the expected result is the
// rank's own input where it lands (checked here against the input, not through CollectiveCase).
TEST(CollectiveDescriptionsTest, OneRankExpectsItsOwnInput) {
  for (const CollectiveDescription& description : CollectiveTable()) {
    for (const DataType type : {DataType::kFloat32, DataType::kBfloat16}) {
      const CollectiveExpectation expectation{description.kind, type, 0, 1, 4};
      const CollectiveCounts counts = description.counts(4, 0, 1);
      for (std::size_t at = 0; at < counts.recv; ++at) {
        EXPECT_EQ(description.expected(expectation, at),
                  ExactInput(description.kind, type, 0, 1, at))
            << description.name << " at " << at;
      }
    }
  }
}

}  // namespace
}  // namespace lepton::bench
