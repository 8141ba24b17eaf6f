#include "bench/comm/bfloat16.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace lepton::bench {
namespace {

TEST(Bfloat16Test, IntegersUpTo256AreExact) {
  for (int i = -256; i <= 256; ++i) {
    const auto value = static_cast<float>(i);
    EXPECT_EQ(Bfloat16ToFloat(FloatToBfloat16(value)), value) << i;
  }
  // 257 needs a 9-bit significand: a tie between 256 and 258, to even (256).
  EXPECT_EQ(Bfloat16ToFloat(FloatToBfloat16(257.0F)), 256.0F);
  EXPECT_EQ(Bfloat16ToFloat(FloatToBfloat16(259.0F)), 260.0F);
}

TEST(Bfloat16Test, KnownEncodings) {
  EXPECT_EQ(FloatToBfloat16(1.0F), 0x3F80);
  EXPECT_EQ(FloatToBfloat16(-1.0F), 0xBF80);
  EXPECT_EQ(FloatToBfloat16(0.0F), 0x0000);
  EXPECT_EQ(FloatToBfloat16(std::numeric_limits<float>::infinity()), 0x7F80);
  // Rounding up past the largest finite value gives infinity, as in hardware.
  EXPECT_EQ(FloatToBfloat16(std::numeric_limits<float>::max()), 0x7F80);
  EXPECT_TRUE(std::isnan(Bfloat16ToFloat(FloatToBfloat16(std::nanf("")))));
}

TEST(Bfloat16Test, RoundsToNearestEven) {
  // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties to even (1); just above rounds up.
  EXPECT_EQ(Bfloat16ToFloat(FloatToBfloat16(1.0F + 0x1p-8F)), 1.0F);
  EXPECT_EQ(Bfloat16ToFloat(FloatToBfloat16(1.0F + 0x1p-8F + 0x1p-20F)), 1.0F + 0x1p-7F);
  // 1 + 3 * 2^-8 is halfway between 1 + 2^-7 (odd) and 1 + 2^-6: to even (up).
  EXPECT_EQ(Bfloat16ToFloat(FloatToBfloat16(1.0F + 3 * 0x1p-8F)), 1.0F + 0x1p-6F);
}

}  // namespace
}  // namespace lepton::bench
