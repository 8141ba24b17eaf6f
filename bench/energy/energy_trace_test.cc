#include "bench/energy/energy_trace.h"

#include <gtest/gtest.h>

namespace lepton::bench {
namespace {

EnergyTrace Trace(TraceKind kind, std::vector<TracePoint> points) {
  return EnergyTrace{kind, std::move(points), "meter", "test clock"};
}

TEST(EnergyTraceTest, CounterEnergyIsTheDifferenceAtTheWindowEdges) {
  const auto trace = Trace(TraceKind::kCumulativeJoules, {{0, 0}, {1, 10}, {2, 30}, {3, 30}});
  const std::vector<TimeWindow> windows = {{0.5, 2.5}};
  const auto reading = IntegrateOverWindows(trace, windows, {0.1, 1});
  ASSERT_TRUE(reading.has_value()) << reading.error().ToString();
  EXPECT_DOUBLE_EQ(reading->joules, 30.0 - 5.0);
  EXPECT_DOUBLE_EQ(reading->covered_s, 2.0);
  EXPECT_EQ(reading->samples, 2);  // t = 1 and t = 2
}

TEST(EnergyTraceTest, PowerIsIntegratedByTheTrapezoidalRuleInterpolatedAtTheEdges) {
  const auto trace = Trace(TraceKind::kWatts, {{0, 100}, {2, 200}, {4, 200}});
  const std::vector<TimeWindow> windows = {{1, 3}};
  const auto reading = IntegrateOverWindows(trace, windows, {1, 5});
  ASSERT_TRUE(reading.has_value()) << reading.error().ToString();
  // P(1) = 150 by interpolation: (150 + 200) / 2 x 1 s + (200 + 200) / 2 x 1 s.
  EXPECT_DOUBLE_EQ(reading->joules, 375.0);
  EXPECT_DOUBLE_EQ(*reading->peak_watts, 200.0);
  EXPECT_EQ(reading->samples, 1);
}

TEST(EnergyTraceTest, OnlyTheWindowsCountAndTheirEnergiesAdd) {
  const auto trace = Trace(TraceKind::kWatts, {{0, 100}, {1, 100}, {10, 500}, {11, 500}});
  // The 9 s between t = 1 and t = 10 lies outside every window: untimed, not attributed.
  const std::vector<TimeWindow> windows = {{0, 1}, {10, 11}};
  const auto reading = IntegrateOverWindows(trace, windows, {1, 2});
  ASSERT_TRUE(reading.has_value()) << reading.error().ToString();
  EXPECT_DOUBLE_EQ(reading->joules, 600.0);
  EXPECT_DOUBLE_EQ(reading->covered_s, 2.0);
  EXPECT_DOUBLE_EQ(*reading->peak_watts, 500.0);
}

TEST(EnergyTraceTest, AGapAcrossAWindowLeavesItNotMeasured) {
  auto trace = Trace(TraceKind::kWatts, {{0, 100}, {1, 100}, {10, 100}, {11, 100}});
  trace.points[1].line = 3;
  trace.points[2].line = 4;
  const std::vector<TimeWindow> windows = {{0.5, 10.5}};
  const auto reading = IntegrateOverWindows(trace, windows, {1, 2});
  ASSERT_FALSE(reading.has_value());
  EXPECT_EQ(reading.error().code(), StatusCode::kUnavailable);
  EXPECT_EQ(reading.error().message(),
            "meter has a gap of 9 s between t=1 (line 3) and t=10 (line 4) across a timed "
            "window; the profile allows 2 s (energy.max_gap_s)");
}

TEST(EnergyTraceTest, ReadingsMustCoverTheWholeRegion) {
  const auto trace = Trace(TraceKind::kWatts, {{0, 100}, {1, 100}, {2, 100}});
  const std::vector<TimeWindow> windows = {{0.5, 1}, {1.5, 2.5}};
  const auto reading = IntegrateOverWindows(trace, windows, {1, 5});
  ASSERT_FALSE(reading.has_value());
  EXPECT_EQ(reading.error().code(), StatusCode::kUnavailable);
  EXPECT_EQ(reading.error().message(),
            "meter covers 0 to 2 (test clock), not the timed window 1.5 to 2.5: readings must "
            "cover the whole timed region");
}

TEST(EnergyTraceTest, ACounterRunningBackwardsIsDataLoss) {
  const auto trace = Trace(TraceKind::kCumulativeJoules, {{0, 50}, {1, 60}, {2, 10}});
  const std::vector<TimeWindow> windows = {{0, 2}};
  const auto reading = IntegrateOverWindows(trace, windows, {0.1, 1});
  ASSERT_FALSE(reading.has_value());
  EXPECT_EQ(reading.error().code(), StatusCode::kDataLoss);
  EXPECT_EQ(reading.error().message(),
            "meter: the energy counter went backwards at t=2 (a driver reload or reset)");
}

TEST(EnergyTraceTest, WindowsMustBeOrderedAndDisjoint) {
  const auto trace = Trace(TraceKind::kWatts, {{0, 1}, {10, 1}});
  const std::vector<TimeWindow> overlapping = {{1, 3}, {2, 4}};
  EXPECT_EQ(IntegrateOverWindows(trace, overlapping, {1, 20}).error().code(),
            StatusCode::kInvalidArgument);
  const std::vector<TimeWindow> reversed = {{3, 1}};
  EXPECT_EQ(IntegrateOverWindows(trace, reversed, {1, 20}).error().code(),
            StatusCode::kInvalidArgument);
  const std::vector<TimeWindow> none;
  EXPECT_EQ(IntegrateOverWindows(Trace(TraceKind::kWatts, {}), none, {1, 1}).error().message(),
            "meter has no readings");
}

TEST(EnergyTraceTest, CounterPeakIsTheHighestMeanOverTheResolution) {
  const auto trace =
      Trace(TraceKind::kCumulativeJoules, {{0, 0}, {0.5, 5}, {1, 10}, {1.5, 40}, {2, 50}});
  const std::vector<TimeWindow> windows = {{0, 2}};
  const auto reading = IntegrateOverWindows(trace, windows, {1, 1});
  ASSERT_TRUE(reading.has_value());
  // Stretches of 1 s: 0-1 s at 10 W, 1-2 s at 40 W. Half-second steps would read 60 W.
  EXPECT_DOUBLE_EQ(*reading->peak_watts, 40.0);
}

TEST(EnergyTraceTest, CounterPeakFoldsAShortTailIntoTheLastStretch) {
  const auto trace = Trace(TraceKind::kCumulativeJoules, {{0, 0}, {1, 10}, {1.4, 38}});
  const std::vector<TimeWindow> windows = {{0, 1.4}};
  const auto reading = IntegrateOverWindows(trace, windows, {1, 1});
  ASSERT_TRUE(reading.has_value());
  EXPECT_DOUBLE_EQ(*reading->peak_watts, 38.0 / 1.4);
}

TEST(EnergyTraceTest, WindowsShorterThanTheResolutionHaveNoPeak) {
  const auto trace = Trace(TraceKind::kCumulativeJoules, {{0, 0}, {0.2, 2}, {0.4, 4}});
  const std::vector<TimeWindow> windows = {{0, 0.2}, {0.2, 0.4}};
  const auto reading = IntegrateOverWindows(trace, windows, {1, 1});
  ASSERT_TRUE(reading.has_value());
  EXPECT_DOUBLE_EQ(reading->joules, 4.0);
  EXPECT_FALSE(reading->peak_watts.has_value());
  EXPECT_EQ(reading->peak_unavailable_reason,
            "no timed window lasted the meter's resolution of 1 s");
}

}  // namespace
}  // namespace lepton::bench
