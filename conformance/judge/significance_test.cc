#include "conformance/judge/significance.h"

#include <gtest/gtest.h>

#include <limits>
#include <vector>

namespace lepton::stats {
namespace {

// Reference p-values are R's wilcox.test(a, b) (two-sided; exact without ties, otherwise the
// normal approximation with tie and continuity correction).
TEST(MannWhitneyU, FullySeparatedSmallSamplesGiveTheExactMinimum) {
  const std::vector<double> low = {1, 2, 3};
  const std::vector<double> high = {4, 5, 6};
  auto result = MannWhitneyU(low, high);
  ASSERT_TRUE(result.has_value());
  EXPECT_TRUE(result->exact);
  EXPECT_DOUBLE_EQ(result->u, 0);
  EXPECT_DOUBLE_EQ(result->p_value, 0.1);
  EXPECT_DOUBLE_EQ(SmallestTwoSidedP(3, 3), 0.1);
}

TEST(MannWhitneyU, ExactPValueInTheMiddleOfTheDistribution) {
  const std::vector<double> a = {1, 3, 5};
  const std::vector<double> b = {2, 4, 6, 7};
  auto result = MannWhitneyU(a, b);
  ASSERT_TRUE(result.has_value());
  EXPECT_DOUBLE_EQ(result->u, 3);
  EXPECT_NEAR(result->p_value, 0.4, 1e-12);
  // Symmetric in its arguments.
  EXPECT_NEAR(MannWhitneyU(b, a)->p_value, 0.4, 1e-12);
}

TEST(MannWhitneyU, FiveAgainstFiveSeparatedIsSignificant) {
  const std::vector<double> a = {1, 2, 3, 4, 5};
  const std::vector<double> b = {6, 7, 8, 9, 10};
  EXPECT_NEAR(MannWhitneyU(a, b)->p_value, 2.0 / 252.0, 1e-12);
  EXPECT_NEAR(SmallestTwoSidedP(5, 5), 2.0 / 252.0, 1e-15);
}

TEST(MannWhitneyU, TiesUseTheCorrectedNormalApproximation) {
  const std::vector<double> a = {1, 2, 2, 3, 5};
  const std::vector<double> b = {2, 3, 4, 5, 6, 7};
  auto result = MannWhitneyU(a, b);
  ASSERT_TRUE(result.has_value());
  EXPECT_FALSE(result->exact);
  EXPECT_DOUBLE_EQ(result->u, 6);
  EXPECT_NEAR(result->p_value, 0.1156, 5e-5);
}

TEST(MannWhitneyU, IdenticalSamplesShowNoDifference) {
  const std::vector<double> same = {2, 2, 2};
  EXPECT_DOUBLE_EQ(MannWhitneyU(same, same)->p_value, 1);
}

TEST(MannWhitneyU, RejectsEmptyAndNonFiniteSamples) {
  const std::vector<double> empty;
  const std::vector<double> nan = {1, std::numeric_limits<double>::quiet_NaN()};
  const std::vector<double> fine = {1, 2};
  EXPECT_FALSE(MannWhitneyU(empty, fine).has_value());
  EXPECT_FALSE(MannWhitneyU(fine, nan).has_value());
}

TEST(SmallestTwoSidedP, FallsWithSampleSize) {
  EXPECT_NEAR(SmallestTwoSidedP(3, 4), 2.0 / 35.0, 1e-15);
  EXPECT_NEAR(SmallestTwoSidedP(4, 4), 2.0 / 70.0, 1e-15);
  EXPECT_DOUBLE_EQ(SmallestTwoSidedP(1, 1), 1);
  EXPECT_DOUBLE_EQ(SmallestTwoSidedP(0, 5), 1);
}

TEST(Bootstrap, IntervalBracketsTheObservedChangeAndIsReproducible) {
  const std::vector<double> baseline = {10.0, 10.2, 9.9, 10.1, 10.0};
  const std::vector<double> candidate = {11.0, 11.1, 10.9, 11.2, 11.0};
  auto interval = BootstrapRelativeChangeOfMedians(baseline, candidate, 0.95, 2000, 7);
  ASSERT_TRUE(interval.has_value());
  EXPECT_LE(interval->low, 0.1);  // medians 10.0 -> 11.0
  EXPECT_GE(interval->high, 0.1);
  EXPECT_GT(interval->low, 0.05);  // every resample shows a clear increase
  auto again = BootstrapRelativeChangeOfMedians(baseline, candidate, 0.95, 2000, 7);
  EXPECT_DOUBLE_EQ(again->low, interval->low);
  EXPECT_DOUBLE_EQ(again->high, interval->high);
}

TEST(Bootstrap, ZeroBaselineMedianIsAnError) {
  const std::vector<double> zero = {0, 0, 0};
  const std::vector<double> some = {1, 2, 3};
  EXPECT_FALSE(BootstrapRelativeChangeOfMedians(zero, some, 0.95, 200, 1).has_value());
  EXPECT_FALSE(BootstrapRelativeChangeOfMedians(some, some, 1.5, 200, 1).has_value());
}

}  // namespace
}  // namespace lepton::stats
