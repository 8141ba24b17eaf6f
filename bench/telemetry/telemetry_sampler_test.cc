// The summary over scripted readings (figures, median, counters, throttle reasons and the flag)
// and the polled sampler's edges, with a reader the test scripts: no clock involved.

#include "bench/telemetry/telemetry_sampler.h"

#include <gtest/gtest.h>

#include <deque>

namespace lepton::bench {
namespace {

GpuReading Gpu(double sm_mhz, double power_w, std::optional<std::uint64_t> reasons,
               double ecc_corrected = 0) {
  GpuReading gpu;
  gpu.values[static_cast<std::size_t>(checks::TelemetryField::kSmClockMhz)] = sm_mhz;
  gpu.values[static_cast<std::size_t>(checks::TelemetryField::kPowerW)] = power_w;
  gpu.values[static_cast<std::size_t>(checks::TelemetryField::kEccCorrected)] = ecc_corrected;
  for (std::size_t f = 0; f < checks::kTelemetryFieldCount; ++f) {
    if (!gpu.values[f]) gpu.why_not[f] = "Not Supported (NVML error 3)";
  }
  gpu.event_reasons = reasons;
  if (!reasons) gpu.event_reasons_why_not = "symbol not exported by this driver";
  return gpu;
}

TelemetryRegion Region(std::vector<GpuReading> readings) {
  TelemetryRegion region;
  region.source = "fake";
  region.sample_hz = 10;
  for (GpuReading& gpu : readings) region.readings.push_back(TelemetryReading{{std::move(gpu)}});
  return region;
}

const TelemetryFieldSummary& Field(const GpuTelemetry& gpu, checks::TelemetryField field) {
  return gpu.fields[static_cast<std::size_t>(field)];
}

TEST(DecodeClocksEventReasonsTest, NamesEachBitAndUnknownOnes) {
  EXPECT_EQ(checks::DecodeClocksEventReasons(0), std::vector<std::string>{});
  EXPECT_EQ(checks::DecodeClocksEventReasons(checks::kReasonSwPowerCap |
                                             checks::kReasonHwThermalSlowdown | 0x200),
            (std::vector<std::string>{"sw_power_cap", "hw_thermal_slowdown", "unknown_0x200"}));
  EXPECT_EQ(checks::DecodeClocksEventReasons(checks::kReasonHwPowerBrakeSlowdown),
            std::vector<std::string>{"hw_power_brake_slowdown"});
}

TEST(DecodeClocksEventReasonsTest, TheThermalOrPowerMaskAndNamesAgree) {
  const std::vector<std::string> names =
      checks::DecodeClocksEventReasons(checks::kThermalOrPowerReasons);
  ASSERT_EQ(names.size(), checks::kThermalOrPowerReasonNames.size());
  for (const std::string& name : names)
    EXPECT_TRUE(checks::IsThermalOrPowerReasonName(name)) << name;
  EXPECT_FALSE(checks::IsThermalOrPowerReasonName("gpu_idle"));
  EXPECT_FALSE(checks::IsThermalOrPowerReasonName("sync_boost"));
}

TEST(SummarizeTelemetryTest, MinMedianMaxAndCountPerField) {
  const TelemetryRegion region =
      Region({Gpu(1980, 300, 0), Gpu(1410, 700, 0), Gpu(1755, 650, 0), Gpu(1980, 690, 0)});
  const TelemetrySummary summary = SummarizeTelemetry(std::span(&region, 1));
  ASSERT_EQ(summary.gpus.size(), 1U);
  EXPECT_EQ(summary.regions, 1);
  EXPECT_EQ(summary.source, "fake");
  EXPECT_TRUE(summary.not_measured_reason.empty());
  const TelemetryFieldSummary& sm = Field(summary.gpus[0], checks::TelemetryField::kSmClockMhz);
  EXPECT_EQ(sm.name, "sm_clock_mhz");
  EXPECT_EQ(sm.unit, "MHz");
  EXPECT_EQ(sm.samples, 4);
  EXPECT_EQ(sm.min, 1410);
  EXPECT_EQ(sm.median, (1755.0 + 1980.0) / 2);  // even count: the mean of the middle two
  EXPECT_EQ(sm.max, 1980);
  EXPECT_EQ(Field(summary.gpus[0], checks::TelemetryField::kPowerW).median, (650.0 + 690.0) / 2);
}

TEST(SummarizeTelemetryTest, AFieldNeverReadIsNotMeasuredWithTheReasonNeverZero) {
  const TelemetryRegion region = Region({Gpu(1980, 300, std::nullopt)});
  const TelemetrySummary summary = SummarizeTelemetry(std::span(&region, 1));
  const GpuTelemetry& gpu = summary.gpus.at(0);
  const TelemetryFieldSummary& temperature = Field(gpu, checks::TelemetryField::kTemperatureC);
  EXPECT_EQ(temperature.samples, 0);
  EXPECT_EQ(temperature.not_measured_reason, "Not Supported (NVML error 3)");
  EXPECT_EQ(gpu.reason_samples, 0);
  EXPECT_EQ(gpu.throttle_not_measured_reason, "symbol not exported by this driver");
  EXPECT_FALSE(gpu.thermal_or_power_throttled);
}

TEST(SummarizeTelemetryTest, ThrottleReasonsWithTheirShareAndTheThermalOrPowerFlag) {
  const TelemetryRegion calm = Region({Gpu(1980, 300, 0), Gpu(1980, 300, checks::kReasonGpuIdle)});
  const TelemetrySummary quiet = SummarizeTelemetry(std::span(&calm, 1));
  EXPECT_FALSE(quiet.thermal_or_power_throttled);  // idle is not a limit being hit
  ASSERT_EQ(quiet.gpus[0].throttle_reasons.size(), 1U);
  EXPECT_EQ(quiet.gpus[0].throttle_reasons[0].name, "gpu_idle");
  EXPECT_EQ(quiet.gpus[0].throttle_reasons[0].share, 0.5);

  const TelemetryRegion hot =
      Region({Gpu(1980, 690, 0), Gpu(1600, 700, checks::kReasonSwPowerCap),
              Gpu(1300, 700, checks::kReasonSwPowerCap | checks::kReasonHwThermalSlowdown),
              Gpu(1980, 650, 0)});
  const TelemetrySummary throttled = SummarizeTelemetry(std::span(&hot, 1));
  EXPECT_TRUE(throttled.thermal_or_power_throttled);
  const GpuTelemetry& gpu = throttled.gpus[0];
  EXPECT_TRUE(gpu.thermal_or_power_throttled);
  EXPECT_EQ(gpu.reason_samples, 4);
  ASSERT_EQ(gpu.throttle_reasons.size(), 2U);
  EXPECT_EQ(gpu.throttle_reasons[0].name, "sw_power_cap");
  EXPECT_EQ(gpu.throttle_reasons[0].samples, 2);
  EXPECT_EQ(gpu.throttle_reasons[0].share, 0.5);
  EXPECT_EQ(gpu.throttle_reasons[1].name, "hw_thermal_slowdown");
  EXPECT_EQ(gpu.throttle_reasons[1].share, 0.25);
}

TEST(SummarizeTelemetryTest, EccCountsAreTheIncreaseWithinEachRegion) {
  // The counter stands at 40 when the first region starts and at 100 when the second does.
  const std::vector<TelemetryRegion> regions = {
      Region({Gpu(1980, 300, 0, 40), Gpu(1980, 300, 0, 41), Gpu(1980, 300, 0, 43)}),
      Region({Gpu(1980, 300, 0, 100), Gpu(1980, 300, 0, 100)})};
  const TelemetrySummary one = SummarizeTelemetry(std::span(regions.data(), 1));
  const TelemetryFieldSummary& delta = Field(one.gpus[0], checks::TelemetryField::kEccCorrected);
  EXPECT_EQ(delta.min, 0);
  EXPECT_EQ(delta.max, 3);  // the region's increase
  const TelemetrySummary both = SummarizeTelemetry(regions);
  EXPECT_EQ(both.regions, 2);
  EXPECT_EQ(Field(both.gpus[0], checks::TelemetryField::kEccCorrected).max, 3);  // not 100 - 40
  EXPECT_EQ(Field(both.gpus[0], checks::TelemetryField::kEccCorrected).samples, 5);
}

TEST(SummarizeTelemetryTest, NoReadingsSaysWhy) {
  TelemetryRegion region;
  region.not_measured_reason = "nvmlDeviceGetCount_v2 failed: GPU is lost (NVML error 15)";
  const TelemetrySummary summary = SummarizeTelemetry(std::span(&region, 1));
  EXPECT_TRUE(summary.gpus.empty());
  EXPECT_FALSE(summary.thermal_or_power_throttled);
  EXPECT_EQ(summary.not_measured_reason, region.not_measured_reason);
  EXPECT_EQ(SummarizeTelemetry({}).not_measured_reason, "no timed region");
}

TEST(PolledTelemetrySamplerTest, ReadsAtBothEdgesAndOnDemand) {
  std::deque<double> clocks = {1980, 1410, 1755};
  PolledTelemetrySampler sampler("scripted", 0, [&]() -> Result<TelemetryReading> {
    const double clock = clocks.front();
    clocks.pop_front();
    return TelemetryReading{{Gpu(clock, 500, 0)}};
  });
  ASSERT_TRUE(sampler.Start().ok());
  sampler.SampleNow();
  const TelemetryRegion region = sampler.Stop();
  ASSERT_EQ(region.readings.size(), 3U);
  EXPECT_EQ(region.source, "scripted");
  EXPECT_EQ(region.readings[1].gpus[0].values[0], 1410);
  EXPECT_TRUE(clocks.empty());
}

TEST(PolledTelemetrySamplerTest, AFailedFirstReadingRefusesToStart) {
  PolledTelemetrySampler sampler("scripted", 0, []() -> Result<TelemetryReading> {
    return std::unexpected(UnavailableError("GPU is lost"));
  });
  const Status started = sampler.Start();
  EXPECT_EQ(started.code(), StatusCode::kUnavailable);
  const TelemetryRegion region = sampler.Stop();
  EXPECT_TRUE(region.readings.empty());
  EXPECT_EQ(region.not_measured_reason, "GPU is lost");
}

TEST(PolledTelemetrySamplerTest, TheThreadAddsReadingsBetweenTheEdges) {
  int reads = 0;
  PolledTelemetrySampler sampler("scripted", 1000, [&]() -> Result<TelemetryReading> {
    ++reads;
    return TelemetryReading{{Gpu(1980, 500, 0)}};
  });
  ASSERT_TRUE(sampler.Start().ok());
  const TelemetryRegion region = sampler.Stop();
  // At least the two edges; how many ticks fell between depends on the scheduler, not asserted.
  EXPECT_GE(region.readings.size(), 2U);
  EXPECT_EQ(static_cast<int>(region.readings.size()), reads);
}

}  // namespace
}  // namespace lepton::bench
