#include "conformance/core/statistics.h"

#include <gtest/gtest.h>

#include <limits>
#include <vector>

namespace lepton::stats {
namespace {

TEST(StatisticsTest, MedianOddAndEven) {
  EXPECT_EQ(Median(std::vector<double>{3, 1, 2}).value(), 2);
  EXPECT_EQ(Median(std::vector<double>{4, 1, 3, 2}).value(), 2.5);
  EXPECT_EQ(Median(std::vector<double>{7}).value(), 7);
}

TEST(StatisticsTest, PercentileInterpolatesLikeNumpyLinear) {
  const std::vector<double> values = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  // numpy.percentile(values, 90) == 9.1 ; numpy.percentile(values, 99) == 9.91
  EXPECT_DOUBLE_EQ(Percentile(values, 0.90).value(), 9.1);
  EXPECT_DOUBLE_EQ(Percentile(values, 0.99).value(), 9.91);
  EXPECT_EQ(Percentile(values, 0.0).value(), 1);
  EXPECT_EQ(Percentile(values, 1.0).value(), 10);
  EXPECT_EQ(Percentile(std::vector<double>{5}, 0.99).value(), 5);
}

TEST(StatisticsTest, MeanMinMax) {
  const std::vector<double> values = {2, -1, 5, 10};
  EXPECT_EQ(Mean(values).value(), 4);
  EXPECT_EQ(Min(values).value(), -1);
  EXPECT_EQ(Max(values).value(), 10);
  EXPECT_DOUBLE_EQ(Mean(std::vector<double>{1e308, 1e308}).value(), 1e308);
}

TEST(StatisticsTest, EveryStatisticRejectsEmptyAndNonFinite) {
  const std::vector<double> empty;
  const std::vector<double> with_nan = {1, std::numeric_limits<double>::quiet_NaN()};
  const std::vector<double> with_inf = {1, std::numeric_limits<double>::infinity()};
  for (const auto& sample : {empty, with_nan, with_inf}) {
    EXPECT_FALSE(Median(sample).has_value());
    EXPECT_FALSE(Mean(sample).has_value());
    EXPECT_FALSE(Min(sample).has_value());
    EXPECT_FALSE(Max(sample).has_value());
    EXPECT_FALSE(Percentile(sample, 0.9).has_value());
  }
  EXPECT_FALSE(Percentile(std::vector<double>{1}, 1.5).has_value());
}

}  // namespace
}  // namespace lepton::stats
