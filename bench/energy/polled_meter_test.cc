#include "bench/energy/polled_meter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace lepton::bench {
namespace {

MeterInfo Info(double sample_hz, double resolution_s) {
  MeterInfo info;
  info.name = "test-meter";
  info.sample_hz = sample_hz;
  info.resolution_s = resolution_s;
  return info;
}

// Two timed windows of ~60 ms with an untimed pause between them.
std::vector<TimeWindow> TwoWindows(EnergyMeter& meter) {
  std::vector<TimeWindow> windows;
  for (int i = 0; i < 2; ++i) {
    TimeWindow window;
    window.begin_s = meter.Mark();
    std::this_thread::sleep_for(std::chrono::milliseconds(60));
    window.end_s = meter.Mark();
    windows.push_back(window);
    std::this_thread::sleep_for(std::chrono::milliseconds(40));
  }
  return windows;
}

TEST(PolledMeterTest, IntegratesPowerSamplesOverTheWindows) {
  std::atomic<int> reads = 0;
  PolledMeter meter(
      Info(100, 0.01), TraceKind::kWatts, EdgeReads::kInterpolated,
      [&]() -> Result<double> {
        ++reads;
        return 50.0;
      },
      1.0);
  ASSERT_TRUE(meter.Start().ok());
  const auto windows = TwoWindows(meter);
  const auto reading = meter.Stop(windows);
  ASSERT_TRUE(reading.has_value()) << reading.error().ToString();
  const double covered =
      (windows[0].end_s - windows[0].begin_s) + (windows[1].end_s - windows[1].begin_s);
  EXPECT_NEAR(reading->covered_s, covered, 1e-12);
  EXPECT_NEAR(reading->joules, 50.0 * covered, 1e-9);
  EXPECT_DOUBLE_EQ(*reading->peak_watts, 50.0);
  // Sampled at 100 Hz over ~200 ms; power meters do not read at window edges.
  EXPECT_GE(reads.load(), 8);
  EXPECT_LE(reads.load(), 30);
}

TEST(PolledMeterTest, CounterWindowsAreExactCounterDifferences) {
  // A counter that accumulates 20 W of the steady clock.
  std::atomic<int> reads = 0;
  PolledMeter meter(
      Info(0.5, 0), TraceKind::kCumulativeJoules, EdgeReads::kAtEdges,
      [&]() -> Result<double> {
        ++reads;
        return 20.0 * SteadySeconds();
      },
      1.0);
  ASSERT_TRUE(meter.Start().ok());
  const auto windows = TwoWindows(meter);
  const auto reading = meter.Stop(windows);
  ASSERT_TRUE(reading.has_value()) << reading.error().ToString();
  EXPECT_NEAR(reading->joules / reading->covered_s, 20.0, 0.2);
  EXPECT_NEAR(*reading->peak_watts, 20.0, 0.5);
  EXPECT_EQ(reading->samples, 4);  // the four edges; the 0.5 Hz thread has not read yet
  EXPECT_EQ(reads.load(), 6);      // Start, four edges, Stop
}

TEST(PolledMeterTest, EdgesWithinTheResolutionOfTheLastReadAreInterpolated) {
  std::atomic<int> reads = 0;
  PolledMeter meter(
      Info(0.5, 0.05), TraceKind::kCumulativeJoules, EdgeReads::kAtEdges,
      [&]() -> Result<double> {
        ++reads;
        return 20.0 * SteadySeconds();
      },
      1.0);
  ASSERT_TRUE(meter.Start().ok());  // read 1
  std::vector<TimeWindow> windows(2);
  windows[0].begin_s = meter.Mark();  // within 50 ms of read 1: interpolated
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  windows[0].end_s = meter.Mark();    // read 2
  windows[1].begin_s = meter.Mark();  // back to back: interpolated
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  windows[1].end_s = meter.Mark();           // read 3
  const auto reading = meter.Stop(windows);  // read 4
  ASSERT_TRUE(reading.has_value()) << reading.error().ToString();
  EXPECT_EQ(reads.load(), 4);
  EXPECT_NEAR(reading->joules / reading->covered_s, 20.0, 0.01);
}

TEST(PolledMeterTest, CounterEdgesCanBeInterpolatedBetweenThePolls) {
  std::atomic<int> reads = 0;
  PolledMeter meter(
      Info(50, 0.01), TraceKind::kCumulativeJoules, EdgeReads::kInterpolated,
      [&]() -> Result<double> {
        ++reads;
        return 20.0 * SteadySeconds();
      },
      1.0);
  ASSERT_TRUE(meter.Start().ok());
  const auto windows = TwoWindows(meter);
  const auto reading = meter.Stop(windows);
  ASSERT_TRUE(reading.has_value()) << reading.error().ToString();
  // A counter linear in time interpolates exactly, up to the microseconds a read takes.
  EXPECT_NEAR(reading->joules / reading->covered_s, 20.0, 0.01);
  EXPECT_LE(reads.load(), 2 + 15);  // Start, Stop and the polls: none at the edges
}

TEST(PolledMeterTest, AFailedFirstReadingFailsStart) {
  PolledMeter meter(
      Info(10, 1), TraceKind::kWatts, EdgeReads::kInterpolated,
      []() -> Result<double> { return std::unexpected(UnavailableError("no")); }, 1.0);
  EXPECT_EQ(meter.Start(), UnavailableError("no"));
}

TEST(PolledMeterTest, AFailedReadingDuringTheRunFailsStop) {
  std::atomic<int> reads = 0;
  PolledMeter meter(
      Info(10, 1), TraceKind::kCumulativeJoules, EdgeReads::kAtEdges,
      [&]() -> Result<double> {
        if (++reads == 3) return std::unexpected(UnavailableError("GPU is lost"));
        return static_cast<double>(reads.load());
      },
      1.0);
  ASSERT_TRUE(meter.Start().ok());
  const auto windows = TwoWindows(meter);
  const auto reading = meter.Stop(windows);
  ASSERT_FALSE(reading.has_value());
  EXPECT_EQ(reading.error(), UnavailableError("GPU is lost"));
}

}  // namespace
}  // namespace lepton::bench
