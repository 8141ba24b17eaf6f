#include "bench/comm/string_gather.h"

#include <gtest/gtest.h>

#include "bench/comm/self_communicator.h"

namespace lepton::bench {
namespace {

TEST(StringGatherTest, OneRankGetsItsOwnStringBack) {
  auto self = MakeSelfCommunicator();
  const auto strings = AllGatherStrings(*self, "node-a.example", 64);
  ASSERT_TRUE(strings.has_value()) << strings.error().ToString();
  ASSERT_EQ(strings->size(), 1U);
  EXPECT_EQ((*strings)[0], "node-a.example");
}

TEST(StringGatherTest, EmptyStringsAndEveryLengthUpToTheLimitRoundTrip) {
  auto self = MakeSelfCommunicator();
  for (std::size_t length = 0; length <= 17; ++length) {
    const std::string text(length, 'x');
    const auto strings = AllGatherStrings(*self, text, 17);
    ASSERT_TRUE(strings.has_value());
    EXPECT_EQ((*strings)[0], text);
  }
}

TEST(StringGatherTest, LongerStringsAreCutAtTheLimit) {
  auto self = MakeSelfCommunicator();
  const auto strings = AllGatherStrings(*self, "abcdefghij", 4);
  ASSERT_TRUE(strings.has_value());
  EXPECT_EQ((*strings)[0], "abcd");
}

}  // namespace
}  // namespace lepton::bench
