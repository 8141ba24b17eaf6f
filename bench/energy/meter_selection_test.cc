#include "bench/energy/meter_selection.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace lepton::bench {
namespace {

TEST(MeterSelectionTest, ChoicesReadAndPrintAlike) {
  for (const char* name : {"auto", "nvml", "nvml-sampled", "rapl", "power-log", "none"}) {
    const auto choice = ParseMeterChoice(name);
    ASSERT_TRUE(choice.has_value()) << name;
    EXPECT_EQ(MeterChoiceName(*choice), name);
  }
  EXPECT_FALSE(ParseMeterChoice("ipmi").has_value());
}

TEST(MeterSelectionTest, NoneAndAbsentMetersSayWhy) {
  const spec::EnergySettings settings;
  MeterSelection selection;
  selection.choice = MeterChoice::kNone;
  EXPECT_EQ(OpenEnergyMeter(selection, "cpu", settings).error().message(),
            "energy measurement switched off (--energy none)");
  selection.choice = MeterChoice::kAuto;
  selection.powercap_root = "/nonexistent/powercap";
  const auto cpu = OpenEnergyMeter(selection, "cpu", settings);
  ASSERT_FALSE(cpu.has_value());
  EXPECT_EQ(cpu.error().code(), StatusCode::kUnavailable);
  EXPECT_EQ(cpu.error().message(),
            "RAPL: /nonexistent/powercap does not exist: this kernel or VM exposes no powercap "
            "RAPL");
  selection.nvml_library = "libnvidia-ml-absent.so.1";
  const auto cuda = OpenEnergyMeter(selection, "cuda", settings);
  ASSERT_FALSE(cuda.has_value());
  EXPECT_TRUE(cuda.error().message().starts_with("NVML: NVML not loadable"))
      << cuda.error().message();
}

TEST(MeterSelectionTest, AutoPrefersAGivenPowerLogAndNvmlOnCuda) {
  const spec::EnergySettings settings;
  const std::filesystem::path log =
      std::filesystem::temp_directory_path() / ("lepton-sel-" + std::to_string(::getpid()));
  std::ofstream(log) << "1000,100\n1001,100\n";
  MeterSelection selection;
  selection.power_log = log;
  selection.power_log_tier = spec::EnergyTier::kAnalyser;
  const auto from_log = OpenEnergyMeter(selection, "cuda", settings);
  ASSERT_TRUE(from_log.has_value()) << from_log.error().ToString();
  EXPECT_EQ((*from_log)->info().name, "power-log");
  EXPECT_EQ((*from_log)->info().tier, spec::EnergyTier::kAnalyser);
  std::filesystem::remove(log);

  selection.power_log.reset();
  selection.nvml_library = LEPTON_FAKE_NVML_PATH;
  const auto nvml = OpenEnergyMeter(selection, "cuda", settings);
  ASSERT_TRUE(nvml.has_value()) << nvml.error().ToString();
  EXPECT_EQ((*nvml)->info().name, "nvml");
  EXPECT_EQ((*nvml)->info().sample_hz, settings.sample_hz);
}

TEST(MeterSelectionTest, ChecksTheSelectionBeforeTheRun) {
  MeterSelection selection;
  selection.choice = MeterChoice::kPowerLog;
  EXPECT_EQ(CheckMeterSelection(selection).message(),
            "--energy power-log needs --power-log FILE.csv");
  selection.choice = MeterChoice::kRapl;
  selection.power_log = "/nonexistent/lab.csv";
  EXPECT_EQ(CheckMeterSelection(selection).message(),
            "--power-log is read only with --energy power-log or auto, not rapl");
  selection.choice = MeterChoice::kAuto;
  EXPECT_EQ(CheckMeterSelection(selection).code(), StatusCode::kNotFound);
  const std::filesystem::path bad =
      std::filesystem::temp_directory_path() / ("lepton-bad-" + std::to_string(::getpid()));
  std::ofstream(bad) << "1000,100\n1001;100\n";
  selection.power_log = bad;
  EXPECT_EQ(CheckMeterSelection(selection).message(),
            bad.string() + ":2: expected two fields 'timestamp,watts', found '1001;100'");
  std::filesystem::remove(bad);
  selection.power_log.reset();
  selection.power_log_tier = spec::EnergyTier::kOnDieSampled;
  EXPECT_EQ(CheckMeterSelection(selection).message(), "--power-log-source must be analyser or bmc");
}

}  // namespace
}  // namespace lepton::bench
