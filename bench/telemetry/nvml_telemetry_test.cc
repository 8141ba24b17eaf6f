// The NVML telemetry sampler against conformance/checks/testdata/fake_nvml.cc through its own
// dlopen path: each device's state is scripted field by field and read on demand (sample_hz 0),
// so every figure below is exact. The old-driver build lacks PCIe throughput and the R535 name
// of the clocks event reasons.

#include "bench/telemetry/nvml_telemetry.h"

#include <dlfcn.h>
#include <gtest/gtest.h>

#include "conformance/checks/testdata/fake_nvml_control.h"

namespace lepton::bench {
namespace {

// The stand-in's knobs; Set fails the test on a field the stand-in does not know.
class FakeNvml : public checks::FakeNvmlControl {
 public:
  using FakeNvmlControl::FakeNvmlControl;
  void Set(unsigned int device, const char* field, U64 value) {
    ASSERT_EQ(SetSample(device, field, value), 0) << field;
  }
};

const TelemetryFieldSummary& Field(const GpuTelemetry& gpu, checks::TelemetryField field) {
  return gpu.fields[static_cast<std::size_t>(field)];
}

TelemetrySummary Summarize(const TelemetryRegion& region) {
  return SummarizeTelemetry(std::span(&region, 1));
}

class NvmlTelemetryTest : public ::testing::Test {
 protected:
  FakeNvml fake_{LEPTON_FAKE_NVML_PATH};
  void SetUp() override { ASSERT_TRUE(fake_.loaded()) << ::dlerror(); }
};

TEST_F(NvmlTelemetryTest, ReadsEveryFieldOfEveryGpu) {
  fake_.SetDeviceCount(2);
  fake_.SetPowerMilliwatts(650000);
  auto sampler = OpenNvmlTelemetrySampler({LEPTON_FAKE_NVML_PATH, 0});
  ASSERT_TRUE(sampler.has_value()) << sampler.error().ToString();
  fake_.Set(0, "sm_clock_mhz", 1980);
  fake_.Set(0, "temperature_c", 61);
  fake_.Set(0, "gpu_util", 97);
  fake_.Set(0, "memory_util", 40);
  fake_.Set(0, "pcie_tx_kbps", 12000);
  fake_.Set(0, "pcie_rx_kbps", 3000);
  fake_.Set(0, "clocks_event_reasons", 0);
  fake_.Set(1, "sm_clock_mhz", 1410);
  ASSERT_TRUE((*sampler)->Start().ok());
  fake_.Set(0, "sm_clock_mhz", 1755);
  fake_.Set(0, "temperature_c", 70);
  (*sampler)->SampleNow();
  fake_.Set(0, "temperature_c", 66);
  const TelemetrySummary summary = Summarize((*sampler)->Stop());
  ASSERT_EQ(summary.gpus.size(), 2U);
  EXPECT_NE(summary.source.find("999.99-fake"), std::string::npos) << summary.source;
  const GpuTelemetry& gpu0 = summary.gpus[0];
  EXPECT_EQ(gpu0.device, "gpu0");
  const TelemetryFieldSummary& sm = Field(gpu0, checks::TelemetryField::kSmClockMhz);
  EXPECT_EQ(sm.samples, 3);
  EXPECT_EQ(sm.min, 1755);
  EXPECT_EQ(sm.median, 1755);
  EXPECT_EQ(sm.max, 1980);
  const TelemetryFieldSummary& temperature = Field(gpu0, checks::TelemetryField::kTemperatureC);
  EXPECT_EQ(temperature.min, 61);
  EXPECT_EQ(temperature.median, 66);
  EXPECT_EQ(temperature.max, 70);
  EXPECT_EQ(Field(gpu0, checks::TelemetryField::kPowerW).median, 650);
  EXPECT_EQ(Field(gpu0, checks::TelemetryField::kMemoryClockMhz).median, 2619);
  EXPECT_EQ(Field(gpu0, checks::TelemetryField::kGpuUtilization).max, 97);
  EXPECT_EQ(Field(gpu0, checks::TelemetryField::kMemoryUtilization).max, 40);
  EXPECT_EQ(Field(gpu0, checks::TelemetryField::kPcieTxMBps).median, 12);
  EXPECT_EQ(Field(gpu0, checks::TelemetryField::kPcieRxMBps).median, 3);
  EXPECT_EQ(gpu0.reason_samples, 3);
  EXPECT_TRUE(gpu0.throttle_reasons.empty());
  EXPECT_FALSE(summary.thermal_or_power_throttled);
  EXPECT_EQ(Field(summary.gpus[1], checks::TelemetryField::kSmClockMhz).median, 1410);
}

TEST_F(NvmlTelemetryTest, ThermalOrPowerReasonsFlagTheRegion) {
  auto sampler = OpenNvmlTelemetrySampler({LEPTON_FAKE_NVML_PATH, 0});
  ASSERT_TRUE(sampler.has_value()) << sampler.error().ToString();
  fake_.Set(0, "clocks_event_reasons", 0);
  ASSERT_TRUE((*sampler)->Start().ok());
  fake_.Set(0, "clocks_event_reasons", 0x4 | 0x40);  // sw power cap, hw thermal slowdown
  (*sampler)->SampleNow();
  fake_.Set(0, "clocks_event_reasons", 0x4);
  (*sampler)->SampleNow();
  fake_.Set(0, "clocks_event_reasons", 0);
  const TelemetrySummary summary = Summarize((*sampler)->Stop());
  ASSERT_EQ(summary.gpus.size(), 1U);
  EXPECT_TRUE(summary.thermal_or_power_throttled);
  const GpuTelemetry& gpu = summary.gpus[0];
  EXPECT_EQ(gpu.reason_samples, 4);
  ASSERT_EQ(gpu.throttle_reasons.size(), 2U);
  EXPECT_EQ(gpu.throttle_reasons[0].name, "sw_power_cap");
  EXPECT_EQ(gpu.throttle_reasons[0].share, 0.5);
  EXPECT_EQ(gpu.throttle_reasons[1].name, "hw_thermal_slowdown");
  EXPECT_EQ(gpu.throttle_reasons[1].share, 0.25);
}

TEST_F(NvmlTelemetryTest, EccCountsAreTheRegionsIncrease) {
  fake_.Set(0, "ecc_corrected", 1000);  // since the driver loaded
  fake_.Set(0, "ecc_uncorrected", 2);
  auto sampler = OpenNvmlTelemetrySampler({LEPTON_FAKE_NVML_PATH, 0});
  ASSERT_TRUE(sampler.has_value()) << sampler.error().ToString();
  ASSERT_TRUE((*sampler)->Start().ok());
  fake_.Set(0, "ecc_corrected", 1004);
  (*sampler)->SampleNow();
  fake_.Set(0, "ecc_corrected", 1007);
  const TelemetrySummary summary = Summarize((*sampler)->Stop());
  const TelemetryFieldSummary& corrected =
      Field(summary.gpus[0], checks::TelemetryField::kEccCorrected);
  EXPECT_EQ(corrected.min, 0);
  EXPECT_EQ(corrected.median, 4);
  EXPECT_EQ(corrected.max, 7);
  EXPECT_EQ(Field(summary.gpus[0], checks::TelemetryField::kEccUncorrected).max, 0);
}

TEST_F(NvmlTelemetryTest, AnUnsupportedQueryIsNotMeasuredWithNvmlsWords) {
  fake_.Fail("nvmlDeviceGetTemperature", 3);
  fake_.Fail("nvmlDeviceGetTotalEccErrors", 3);  // ECC off
  auto sampler = OpenNvmlTelemetrySampler({LEPTON_FAKE_NVML_PATH, 0});
  ASSERT_TRUE(sampler.has_value()) << sampler.error().ToString();
  ASSERT_TRUE((*sampler)->Start().ok());
  const TelemetrySummary summary = Summarize((*sampler)->Stop());
  const GpuTelemetry& gpu = summary.gpus.at(0);
  const TelemetryFieldSummary& temperature = Field(gpu, checks::TelemetryField::kTemperatureC);
  EXPECT_EQ(temperature.samples, 0);
  EXPECT_EQ(temperature.not_measured_reason, "Not Supported (NVML error 3)");
  EXPECT_EQ(Field(gpu, checks::TelemetryField::kEccCorrected).not_measured_reason,
            "Not Supported (NVML error 3)");
  EXPECT_EQ(Field(gpu, checks::TelemetryField::kSmClockMhz).samples, 2);
}

TEST_F(NvmlTelemetryTest, AnOldDriversMissingSymbolsAreNotMeasuredAndItsThrottleNameIsUsed) {
  FakeNvml old_driver(LEPTON_FAKE_NVML_OLD_DRIVER_PATH);
  ASSERT_TRUE(old_driver.loaded()) << ::dlerror();
  old_driver.Set(0, "clocks_event_reasons", 0x8);  // hw slowdown
  auto sampler = OpenNvmlTelemetrySampler({LEPTON_FAKE_NVML_OLD_DRIVER_PATH, 0});
  ASSERT_TRUE(sampler.has_value()) << sampler.error().ToString();
  ASSERT_TRUE((*sampler)->Start().ok());
  const TelemetrySummary summary = Summarize((*sampler)->Stop());
  const GpuTelemetry& gpu = summary.gpus.at(0);
  for (checks::TelemetryField field :
       {checks::TelemetryField::kPcieTxMBps, checks::TelemetryField::kPcieRxMBps}) {
    EXPECT_EQ(Field(gpu, field).samples, 0);
    EXPECT_EQ(Field(gpu, field).not_measured_reason, "symbol not exported by this driver");
  }
  // nvmlDeviceGetCurrentClocksThrottleReasons stands in for the R535 name.
  EXPECT_EQ(gpu.reason_samples, 2);
  ASSERT_EQ(gpu.throttle_reasons.size(), 1U);
  EXPECT_EQ(gpu.throttle_reasons[0].name, "hw_slowdown");
  EXPECT_TRUE(summary.thermal_or_power_throttled);
}

TEST_F(NvmlTelemetryTest, NoGpuOrNoDriverIsUnavailable) {
  fake_.SetDeviceCount(0);
  auto none = OpenNvmlTelemetrySampler({LEPTON_FAKE_NVML_PATH, 0});
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error().code(), StatusCode::kUnavailable);
  EXPECT_EQ(none.error().message(), "NVML enumerates no GPU");
  auto missing = OpenNvmlTelemetrySampler({"/nonexistent/libnvidia-ml.so.1", 0});
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace lepton::bench
