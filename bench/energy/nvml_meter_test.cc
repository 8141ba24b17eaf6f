// The NVML meter against conformance/checks/testdata/fake_nvml.cc, a library exporting the NVML
// functions the meter uses, loaded through the meter's own dlopen path (LEPTON_FAKE_NVML_PATH),
// and its old-driver build without the energy counter (LEPTON_FAKE_NVML_OLD_DRIVER_PATH).

#include "bench/energy/nvml_meter.h"

#include <dlfcn.h>
#include <gtest/gtest.h>

#include <thread>

#include "conformance/checks/testdata/fake_nvml_control.h"

namespace lepton::bench {
namespace {

// The current driver's stand-in, whose knobs the meter's tests turn.
class FakeNvml : public checks::FakeNvmlControl {
 public:
  FakeNvml() : FakeNvmlControl(LEPTON_FAKE_NVML_PATH) {}
};

NvmlOptions Options(NvmlMode mode = NvmlMode::kCounterElseSampled) {
  return NvmlOptions{LEPTON_FAKE_NVML_PATH, mode, 50, 1};
}

// One timed window of ~300 ms.
Result<EnergyReading> MeasureOneWindow(EnergyMeter& meter) {
  LEPTON_RETURN_IF_ERROR(meter.Start());
  std::vector<TimeWindow> windows(1);
  windows[0].begin_s = meter.Mark();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  windows[0].end_s = meter.Mark();
  return meter.Stop(windows);
}

class NvmlMeterTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(fake_.loaded()) << ::dlerror(); }
  FakeNvml fake_;
};

TEST_F(NvmlMeterTest, UsesTheEnergyCounterOfEveryGpu) {
  fake_.SetDeviceCount(2);
  auto meter = OpenNvmlMeter(Options());
  ASSERT_TRUE(meter.has_value()) << meter.error().ToString();
  const MeterInfo& info = (*meter)->info();
  EXPECT_EQ(info.tier, spec::EnergyTier::kOnDieCounter);
  EXPECT_EQ(info.domains, (std::vector<std::string>{"gpu0", "gpu1"}));
  EXPECT_EQ(info.source, std::string(LEPTON_FAKE_NVML_PATH) + " (driver 999.99-fake)");
  const auto reading = MeasureOneWindow(**meter);
  ASSERT_TRUE(reading.has_value()) << reading.error().ToString();
  // Two GPUs at 250 W; the fake's counter has millijoule steps.
  EXPECT_NEAR(reading->joules / reading->covered_s, 500.0, 10.0);
  EXPECT_GT(fake_.Calls("nvmlDeviceGetTotalEnergyConsumption"), 4);
  EXPECT_EQ(fake_.Calls("nvmlDeviceGetPowerUsage"), 0);
}

TEST_F(NvmlMeterTest, FallsBackToPowerSamplesWhereTheCounterIsNotSupported) {
  fake_.Fail("nvmlDeviceGetTotalEnergyConsumption", 3);
  fake_.SetPowerMilliwatts(120000);
  auto meter = OpenNvmlMeter(Options());
  ASSERT_TRUE(meter.has_value()) << meter.error().ToString();
  EXPECT_EQ((*meter)->info().tier, spec::EnergyTier::kOnDieSampled);
  EXPECT_NE((*meter)->info().method.find(
                "the total-energy counter is not supported on gpu0 (Not Supported (NVML error 3))"),
            std::string::npos)
      << (*meter)->info().method;
  const auto reading = MeasureOneWindow(**meter);
  ASSERT_TRUE(reading.has_value()) << reading.error().ToString();
  EXPECT_NEAR(reading->joules, 120.0 * reading->covered_s, 1e-9);
  EXPECT_DOUBLE_EQ(*reading->peak_watts, 120.0);
  EXPECT_GE(reading->samples, 5);  // ~15 samples at 50 Hz over 300 ms
}

TEST_F(NvmlMeterTest, SamplesOnRequestEvenWithACounter) {
  auto meter = OpenNvmlMeter(Options(NvmlMode::kSampled));
  ASSERT_TRUE(meter.has_value()) << meter.error().ToString();
  EXPECT_EQ((*meter)->info().tier, spec::EnergyTier::kOnDieSampled);
  const auto reading = MeasureOneWindow(**meter);
  ASSERT_TRUE(reading.has_value()) << reading.error().ToString();
  EXPECT_NEAR(reading->joules / reading->covered_s, 250.0, 1e-9);
}

TEST_F(NvmlMeterTest, NeitherCounterNorPowerIsUnavailableWithBothReasons) {
  fake_.Fail("nvmlDeviceGetTotalEnergyConsumption", 3);
  fake_.Fail("nvmlDeviceGetPowerUsage", 3);
  const auto meter = OpenNvmlMeter(Options());
  ASSERT_FALSE(meter.has_value());
  EXPECT_EQ(meter.error().code(), StatusCode::kUnavailable);
  EXPECT_EQ(meter.error().message(),
            "power readings are not supported on gpu0: Not Supported (NVML error 3); and the "
            "total-energy counter is not supported on gpu0 (Not Supported (NVML error 3))");
}

TEST_F(NvmlMeterTest, NvmlErrorsAreUnavailableInNvmlsWords) {
  fake_.Fail("nvmlInit_v2", 9);
  EXPECT_EQ(OpenNvmlMeter(Options()).error().message(),
            "nvmlInit_v2 failed: Driver Not Loaded (NVML error 9)");
  fake_.Fail("nvmlInit_v2", 0);
  fake_.Fail("nvmlDeviceGetTotalEnergyConsumption", 4);
  EXPECT_EQ(OpenNvmlMeter(Options()).error().message(),
            "nvmlDeviceGetTotalEnergyConsumption(gpu0) failed: Insufficient Permissions (NVML "
            "error 4)");
  fake_.Fail("nvmlDeviceGetTotalEnergyConsumption", 0);
  fake_.SetDeviceCount(0);
  EXPECT_EQ(OpenNvmlMeter(Options()).error().message(), "NVML enumerates no GPU");
}

TEST_F(NvmlMeterTest, AGpuLostDuringTheRunFailsTheReading) {
  auto meter = OpenNvmlMeter(Options(NvmlMode::kSampled));
  ASSERT_TRUE(meter.has_value());
  ASSERT_TRUE((*meter)->Start().ok());
  std::vector<TimeWindow> windows(1);
  windows[0].begin_s = (*meter)->Mark();
  fake_.Fail("nvmlDeviceGetPowerUsage", 15);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  windows[0].end_s = (*meter)->Mark();
  const auto reading = (*meter)->Stop(windows);
  ASSERT_FALSE(reading.has_value());
  EXPECT_EQ(reading.error().message(),
            "nvmlDeviceGetPowerUsage failed on gpu0: GPU is lost (NVML error 15)");
}

TEST_F(NvmlMeterTest, ShutsNvmlDownWhenTheMeterGoes) {
  {
    auto meter = OpenNvmlMeter(Options());
    ASSERT_TRUE(meter.has_value());
    EXPECT_EQ(fake_.Calls("nvmlShutdown"), 0);
  }
  EXPECT_EQ(fake_.Calls("nvmlInit_v2"), 1);
  EXPECT_EQ(fake_.Calls("nvmlShutdown"), 1);
}

TEST(NvmlLoadTest, NoLibraryOrNotNvml) {
  NvmlOptions options;
  options.library = "libnvidia-ml-absent.so.1";
  const auto absent = OpenNvmlMeter(options);
  ASSERT_FALSE(absent.has_value());
  EXPECT_EQ(absent.error().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(absent.error().message().starts_with(
      "NVML not loadable (no NVIDIA driver?): libnvidia-ml-absent.so.1: cannot open shared "
      "object file"))
      << absent.error().message();
  options.library = "libz.so.1";  // a library, but not NVML
  EXPECT_EQ(OpenNvmlMeter(options).error().message(),
            "libz.so.1 lacks an NVML entry point the energy meter needs (nvmlInit_v2, "
            "nvmlShutdown, nvmlErrorString, nvmlDeviceGetCount_v2, "
            "nvmlDeviceGetHandleByIndex_v2, nvmlDeviceGetPowerUsage)");
}

TEST(NvmlLoadTest, ADriverWithoutTheEnergyCounterIsSampled) {
  const auto meter = OpenNvmlMeter(
      NvmlOptions{LEPTON_FAKE_NVML_OLD_DRIVER_PATH, NvmlMode::kCounterElseSampled, 50, 1});
  ASSERT_TRUE(meter.has_value()) << meter.error().ToString();
  EXPECT_EQ((*meter)->info().tier, spec::EnergyTier::kOnDieSampled);
  EXPECT_NE((*meter)->info().method.find("symbol not exported by this driver"), std::string::npos)
      << (*meter)->info().method;
}

}  // namespace
}  // namespace lepton::bench
