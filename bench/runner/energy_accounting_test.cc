#include "bench/runner/energy_accounting.h"

#include <gtest/gtest.h>

namespace lepton::bench {
namespace {

MeterInfo Rapl() {
  MeterInfo info;
  info.name = "rapl";
  info.tier = spec::EnergyTier::kOnDieCounter;
  info.domains = {"package-0", "dram-0"};
  info.sample_hz = 10;
  info.resolution_s = 0.001;
  return info;
}

double ValueOf(const Metrics& metrics, const std::string& name) {
  return std::get<double>(metrics.values.at(name));
}

TEST(EnergyAccountingTest, FiguresOverThePassesWithIdleIncludedAndSubtracted) {
  const MeterInfo meter = Rapl();
  RunEnergy energy;
  energy.meter = &meter;
  energy.reading = EnergyReading{600.0, 4.0, 180.0, "", 44, 0.001};
  energy.passes = 2;
  energy.windows = 20;
  energy.min_region_s = 3;
  energy.samples_per_pass = 1000;
  energy.idle = IdlePower{50.0, 10, ""};
  Metrics metrics;
  const EnergyEvidence evidence = AccountEnergy(energy, metrics);
  EXPECT_DOUBLE_EQ(ValueOf(metrics, "energy_j"), 300.0);
  EXPECT_DOUBLE_EQ(ValueOf(metrics, "average_watts"), 150.0);
  EXPECT_DOUBLE_EQ(ValueOf(metrics, "peak_watts"), 180.0);
  EXPECT_DOUBLE_EQ(ValueOf(metrics, "idle_watts"), 50.0);
  EXPECT_DOUBLE_EQ(ValueOf(metrics, "energy_above_idle_j"), (600.0 - 50.0 * 4.0) / 2);
  EXPECT_DOUBLE_EQ(ValueOf(metrics, "joules_per_sample"), 600.0 / 2000);
  EXPECT_DOUBLE_EQ(ValueOf(metrics, "samples_per_joule"), 2000 / 600.0);
  EXPECT_TRUE(metrics.not_measured.empty());
  EXPECT_EQ(evidence.meter, "rapl");
  EXPECT_EQ(evidence.tier, spec::EnergyTier::kOnDieCounter);
  EXPECT_EQ(evidence.domains, meter.domains);
  EXPECT_EQ(evidence.samples, 44);
  EXPECT_EQ(evidence.passes, 2);
  EXPECT_EQ(evidence.windows, 20);
  EXPECT_EQ(evidence.covered_s, 4.0);
  EXPECT_EQ(evidence.min_region_s, 3);
  EXPECT_EQ(evidence.idle_watts, 50.0);
  EXPECT_EQ(evidence.idle_s, 10);
  EXPECT_TRUE(evidence.idle_included);
  EXPECT_TRUE(evidence.not_measured_reason.empty());
}

TEST(EnergyAccountingTest, NoMeterLeavesEveryFigureNotMeasuredWithTheReason) {
  RunEnergy energy;
  energy.reading = std::unexpected(UnavailableError(
      "RAPL: /sys/class/powercap does not exist: this kernel or VM exposes no powercap RAPL"));
  Metrics metrics;
  metrics.values["train_time_s"] = 1.0;
  const EnergyEvidence evidence = AccountEnergy(energy, metrics);
  EXPECT_EQ(metrics.values.size(), 1u);  // the workload's own metrics stay
  EXPECT_EQ(metrics.not_measured.size(), 7u);
  EXPECT_EQ(metrics.not_measured.at("joules_per_sample"),
            "RAPL: /sys/class/powercap does not exist: this kernel or VM exposes no powercap "
            "RAPL");
  EXPECT_EQ(evidence.not_measured_reason, metrics.not_measured.at("energy_j"));
  EXPECT_FALSE(evidence.tier.has_value());
  EXPECT_TRUE(evidence.meter.empty());
}

TEST(EnergyAccountingTest, ZeroJoulesIsNoMeasurement) {
  const MeterInfo meter = Rapl();
  RunEnergy energy;
  energy.meter = &meter;
  energy.reading = EnergyReading{0.0, 2.0, 0.0, "", 10, 0.001};
  energy.samples_per_pass = 10;
  energy.idle = IdlePower{0.0, 1, ""};
  Metrics metrics;
  const EnergyEvidence evidence = AccountEnergy(energy, metrics);
  EXPECT_FALSE(metrics.values.contains("joules_per_sample"));
  EXPECT_EQ(metrics.not_measured.at("joules_per_sample"),
            "the meter counted 0 J over 2 s of timed work: a meter that does not advance is no "
            "measurement");
  EXPECT_EQ(evidence.tier, spec::EnergyTier::kOnDieCounter);  // the method is still stated
}

TEST(EnergyAccountingTest, FiguresThatCannotBeFormedSayWhy) {
  const MeterInfo meter = Rapl();
  RunEnergy energy;
  energy.meter = &meter;
  energy.reading = EnergyReading{
      10.0, 0.5, std::nullopt, "no timed window lasted the meter's resolution of 1 s", 3, 1};
  energy.idle = IdlePower{std::nullopt, 10, "permission denied"};
  Metrics metrics;
  AccountEnergy(energy, metrics);
  EXPECT_DOUBLE_EQ(ValueOf(metrics, "energy_j"), 10.0);
  EXPECT_EQ(metrics.not_measured.at("peak_watts"),
            "no timed window lasted the meter's resolution of 1 s");
  EXPECT_EQ(metrics.not_measured.at("idle_watts"), "idle power not measured: permission denied");
  EXPECT_EQ(metrics.not_measured.at("energy_above_idle_j"),
            "idle power not measured: permission denied");
  EXPECT_EQ(metrics.not_measured.at("joules_per_sample"),
            "the workload does not state how many samples a run processes");
}

}  // namespace
}  // namespace lepton::bench
