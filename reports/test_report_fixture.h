#pragma once
// A small real report for tests: the test spec's ci profile with one regression run.

#include <limits>

#include "conformance/spec/spec_loader.h"
#include "conformance/spec/test_spec_source.h"
#include "reports/report_model.h"

namespace lepton::reports {

// Two CUDA devices and the three GPUs NVML enumerates: ordinal 0 at bus 2C, ordinal 1 at bus 1B
// (with a hostile name), and a third CUDA does not see, whose MIG and ECC NVML would not give.
inline void AddGpus(checks::SystemDescription& system) {
  system.gpus.count = 2;
  system.gpus.driver_version = "13.0";
  system.gpus.devices.resize(2);
  for (int i = 0; i < 2; ++i) {
    checks::GpuDevice& device = system.gpus.devices[static_cast<std::size_t>(i)];
    device.ordinal = i;
    device.name = i == 0 ? "NVIDIA H100 80GB HBM3" : "NVIDIA <b>H100</b>";
    device.pci_bus_id = i == 0 ? "0000:2C:00.0" : "0000:1B:00.0";
    device.compute_capability = "9.0";
    device.memory_gib = 79.6;
    device.multiprocessors = 132;
    device.clock_mhz = 1980;
    device.memory_clock_mhz = 2619;
    device.memory_bus_bits = 5120;
    device.ecc_enabled = true;
  }
  checks::NvmlProbe& nvml = system.gpus.nvml;
  nvml.library = "libnvidia-ml.so.1";
  nvml.driver_version = "580.65.06";
  nvml.nvml_version = "13.580.65.06";
  nvml.devices.resize(3);
  for (int i = 0; i < 3; ++i) {
    checks::NvmlDevice& device = nvml.devices[static_cast<std::size_t>(i)];
    device.index = i;
    if (i < 2) device.cuda_ordinal = 1 - i;
    device.name = "NVIDIA H100 80GB HBM3";
    device.uuid = "GPU-" + std::to_string(i);
    device.pci_bus_id = i == 0   ? "00000000:1B:00.0"
                        : i == 1 ? "00000000:2C:00.0"
                                 : "00000000:3D:00.0";
    device.mig_mode = "disabled";
    device.mig_mode_pending = i == 1 ? "enabled" : "disabled";
    device.persistence_mode = i != 1;
    device.power_limit_enforced_w = 650;
    device.power_limit_default_w = 700;
    device.power_limit_min_w = 200;
    device.power_limit_max_w = 700;
    device.pcie_generation = 4;
    device.pcie_max_generation = 5;
    device.pcie_width = 16;
    device.pcie_max_width = 16;
    device.nvlinks_active = 18;
    device.sm_clock_mhz = 345;
    device.sm_clock_max_mhz = 1980;
    device.memory_clock_mhz = 2619;
    device.memory_clock_max_mhz = 2619;
    device.ecc_enabled = true;
    device.ecc_pending = true;
  }
  checks::NvmlDevice& hidden = nvml.devices[2];
  hidden.mig_mode.clear();
  hidden.mig_mode_pending.clear();
  hidden.unknown["mig_mode"] = hidden.unknown["mig_mode_pending"] =
      "nvmlDeviceGetMigMode: symbol not exported by this driver";
  hidden.ecc_enabled.reset();
  hidden.ecc_pending.reset();
  hidden.unknown["ecc_enabled"] = hidden.unknown["ecc_pending"] =
      "nvmlDeviceGetEccMode: Not Supported (NVML error 3)";
}

// A GPU's telemetry over `regions` timed regions: two readings of the SM clock, temperature
// not supported, and (when `throttled`) a power cap seen in half the readings.
inline records::TelemetrySummary GpuTelemetrySummary(bool throttled, std::int64_t regions = 1) {
  records::TelemetrySummary summary;
  summary.source = "libnvidia-ml.so.1 (driver 580.65.06)";
  summary.sample_hz = 10;
  summary.regions = regions;
  summary.thermal_or_power_throttled = throttled;
  records::GpuTelemetry gpu;
  gpu.device = "gpu0";
  gpu.fields.push_back({"sm_clock_mhz", "MHz", 2, 1410, 1695, 1980, ""});
  gpu.fields.push_back({"temperature_c", "C", 0, 0, 0, 0, "Not Supported (NVML error 3)"});
  gpu.reason_samples = 2;
  if (throttled) gpu.throttle_reasons.push_back({"sw_power_cap", 1, 0.5});
  gpu.thermal_or_power_throttled = throttled;
  summary.gpus.push_back(gpu);
  return summary;
}

struct Fixture {
  spec::Spec spec;
  spec::Plan plan;
  checks::SystemDescription system;
  std::vector<records::WorkloadRecord> workloads;
  CertificationReport report;

  Fixture() {
    spec = spec::LoadSpec(spec::MapSource({{"lepton.yaml", spec::ValidSpecText()}})).value();
    spec::Facts facts{{{"ranks", 2}, {"gpus", 0}}, {}};
    plan = spec::PlanRun(spec, "ci", facts).value();
    system.cpu_cores = 2;
    system.memory_gib = 3.5;
    records::WorkloadRecord record;
    record.name = "regression";
    record.type = "linear_regression";
    record.params = plan.workloads[1].params;
    records::RunRecord run;
    run.steps.push_back({"closed_form", 0.25});
    run.metrics.values["rows_per_second"] = 1e6;
    run.metrics.values["holdout_mse"] = std::numeric_limits<double>::quiet_NaN();
    record.runs.push_back(run);
    workloads.push_back(record);
    report.tool.version = "0.1.0";
    report.run.facts = facts;
    report.spec = &spec;
    report.plan = &plan;
    report.system = &system;
    report.workloads = &workloads;
    for (const auto& planned : plan.requirements) {
      report.verdicts.push_back(judge::JudgeRequirement(
          planned, records::FindRecord(workloads, planned.requirement->workload)));
    }
    report.summary = judge::Summarize(plan.requirements, report.verdicts);
  }
};

// The energy test spec's cpu profile: one MNIST training run measured by RAPL.
struct EnergyFixture {
  spec::Spec spec;
  spec::Plan plan;
  checks::SystemDescription system;
  std::vector<records::WorkloadRecord> workloads;
  CertificationReport report;

  EnergyFixture() {
    spec = spec::LoadSpec(spec::MapSource({{"lepton.yaml", spec::EnergySpecText()}})).value();
    plan = spec::PlanRun(spec, "cpu", {}).value();
    system.cpu_cores = 2;
    records::WorkloadRecord record;
    record.name = "mlp";
    record.type = "mnist_mlp_train";
    record.params = plan.workloads[0].params;
    records::RunRecord run;
    run.steps.push_back({"epoch_1", 20.5});
    run.metrics.values["joules_per_sample"] = 0.002;
    run.metrics.values["energy_j"] = 17.0;
    records::EnergyEvidence evidence;
    evidence.meter = "rapl";
    evidence.tier = spec::EnergyTier::kOnDieCounter;
    evidence.domains = {"package-0", "dram-0"};
    evidence.source = "/sys/class/powercap";
    evidence.method = "RAPL energy counters";
    evidence.limits = "CPU packages and DRAM only";
    evidence.sample_hz = 20;
    evidence.resolution_s = 0.001;
    evidence.samples = 830;
    evidence.windows = 2;
    evidence.passes = 2;
    evidence.covered_s = 41.0;
    evidence.min_region_s = 30;
    evidence.idle_watts = 12.5;
    evidence.idle_s = 5;
    run.energy = evidence;
    record.runs.push_back(run);
    workloads.push_back(record);
    report.tool.version = "0.1.0";
    report.spec = &spec;
    report.plan = &plan;
    report.system = &system;
    report.workloads = &workloads;
    for (const auto& planned : plan.requirements) {
      report.verdicts.push_back(judge::JudgeRequirement(
          planned, records::FindRecord(workloads, planned.requirement->workload)));
    }
    report.summary = judge::Summarize(plan.requirements, report.verdicts);
  }
};

}  // namespace lepton::reports
