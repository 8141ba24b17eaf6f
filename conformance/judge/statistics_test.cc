#include "conformance/judge/statistics.h"

#include <gtest/gtest.h>

#include <limits>
#include <vector>

namespace lepton::judge {
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
  for (auto statistic : {spec::Statistic::kMedian, spec::Statistic::kMean, spec::Statistic::kMin,
                         spec::Statistic::kMax, spec::Statistic::kP90, spec::Statistic::kP99}) {
    EXPECT_FALSE(ComputeStatistic(statistic, empty).has_value());
    EXPECT_FALSE(ComputeStatistic(statistic, with_nan).has_value());
    EXPECT_FALSE(ComputeStatistic(statistic, with_inf).has_value());
  }
  EXPECT_FALSE(Percentile(std::vector<double>{1}, 1.5).has_value());
}

TEST(StatisticsTest, ComputeStatisticDispatches) {
  const std::vector<double> values = {1, 2, 3, 4, 100};
  EXPECT_EQ(ComputeStatistic(spec::Statistic::kMedian, values).value(), 3);
  EXPECT_EQ(ComputeStatistic(spec::Statistic::kMean, values).value(), 22);
  EXPECT_EQ(ComputeStatistic(spec::Statistic::kMin, values).value(), 1);
  EXPECT_EQ(ComputeStatistic(spec::Statistic::kMax, values).value(), 100);
  EXPECT_DOUBLE_EQ(ComputeStatistic(spec::Statistic::kP90, values).value(), 61.6);
  EXPECT_DOUBLE_EQ(ComputeStatistic(spec::Statistic::kP99, values).value(), 96.16);
}

}  // namespace
}  // namespace lepton::judge
