#include "bench/workloads/system/system_probe_workload.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lepton::bench {
namespace {

using ::testing::HasSubstr;

Metrics Probe(const checks::SystemDescription& system) {
  auto workload = MakeSystemProbeWorkload();
  WorkloadContext context;
  context.system = &system;
  EXPECT_TRUE(workload->Prepare(context).ok());
  EXPECT_TRUE(workload->BeginRun(0).ok());
  return workload->FinishRun({}).value();
}

checks::GpuDevice Device(int ordinal, std::string capability, double memory, int sms) {
  checks::GpuDevice device;
  device.ordinal = ordinal;
  device.compute_capability = std::move(capability);
  device.memory_gib = memory;
  device.multiprocessors = sms;
  return device;
}

TEST(SystemProbeWorkload, GpuFiguresAreTheWeakestDevices) {
  checks::SystemDescription system;
  system.cpu_cores = 2;
  system.memory_gib = 8;
  system.gpus.count = 3;
  system.gpus.devices = {Device(0, "9.0", 80, 132), Device(1, "8.0", 40, 108),
                         Device(2, "10.0", 180, 148)};
  const Metrics metrics = Probe(system);
  EXPECT_EQ(std::get<std::string>(metrics.values.at("gpu_min_compute_capability")), "8.0");
  EXPECT_DOUBLE_EQ(std::get<double>(metrics.values.at("gpu_min_memory_gib")), 40);
  EXPECT_DOUBLE_EQ(std::get<double>(metrics.values.at("gpu_min_multiprocessors")), 108);
}

TEST(SystemProbeWorkload, NoDeviceOrAnUnknownFieldIsNotMeasuredWithTheReason) {
  checks::SystemDescription system;
  system.cpu_cores = 2;
  system.memory_gib = 8;
  system.gpus.unavailable_reason = "CUDA driver library not loadable: libcuda.so.1";
  const Metrics none = Probe(system);
  EXPECT_FALSE(none.values.contains("gpu_min_compute_capability"));
  EXPECT_THAT(none.not_measured.at("gpu_min_memory_gib"),
              HasSubstr("no CUDA device: CUDA driver library not loadable"));

  system.gpus.count = 1;
  system.gpus.devices = {Device(0, "", 80, 132)};
  system.gpus.devices[0].unknown["compute_capability"] = "cuDeviceGetAttribute(75) failed";
  const Metrics partial = Probe(system);
  EXPECT_THAT(partial.not_measured.at("gpu_min_compute_capability"),
              HasSubstr("device 0: cuDeviceGetAttribute(75) failed"));
  EXPECT_DOUBLE_EQ(std::get<double>(partial.values.at("gpu_min_memory_gib")), 80);
}

checks::NvmlDevice Nvml(int ordinal, bool persistent, std::string mig, double watts) {
  checks::NvmlDevice device;
  device.index = ordinal;
  device.cuda_ordinal = ordinal;
  device.persistence_mode = persistent;
  device.mig_mode = std::move(mig);
  device.power_limit_enforced_w = watts;
  return device;
}

TEST(SystemProbeWorkload, NvmlFactsCoverEveryGpuCudaSees) {
  checks::SystemDescription system;
  system.cpu_cores = 2;
  system.memory_gib = 8;
  system.gpus.count = 2;
  system.gpus.devices = {Device(0, "9.0", 80, 132), Device(1, "9.0", 80, 132)};
  system.gpus.nvml.devices = {Nvml(0, true, "disabled", 700), Nvml(1, true, "not-supported", 350)};
  checks::NvmlDevice hidden = Nvml(2, false, "enabled", 100);  // CUDA does not see it
  hidden.cuda_ordinal.reset();
  system.gpus.nvml.devices.push_back(hidden);
  const Metrics metrics = Probe(system);
  EXPECT_EQ(std::get<bool>(metrics.values.at("gpu_persistence_mode")), true);
  EXPECT_EQ(std::get<bool>(metrics.values.at("gpu_mig_enabled")), false);
  EXPECT_DOUBLE_EQ(std::get<double>(metrics.values.at("gpu_min_power_limit_w")), 350);

  system.gpus.nvml.devices[1].persistence_mode = false;
  system.gpus.nvml.devices[1].mig_mode = "enabled";
  const Metrics changed = Probe(system);
  EXPECT_EQ(std::get<bool>(changed.values.at("gpu_persistence_mode")), false);
  EXPECT_EQ(std::get<bool>(changed.values.at("gpu_mig_enabled")), true);
}

TEST(SystemProbeWorkload, NvmlFactsNotMeasuredSayWhy) {
  checks::SystemDescription system;
  system.cpu_cores = 2;
  system.memory_gib = 8;
  system.gpus.count = 1;
  system.gpus.devices = {Device(0, "9.0", 80, 132)};
  system.gpus.devices[0].pci_bus_id = "0000:1B:00.0";
  system.gpus.nvml.unavailable_reason = "NVML not loadable (no NVIDIA driver?)";
  const Metrics absent = Probe(system);
  EXPECT_EQ(absent.not_measured.at("gpu_persistence_mode"),
            "NVML unavailable: NVML not loadable (no NVIDIA driver?)");
  EXPECT_FALSE(absent.values.contains("gpu_mig_enabled"));

  system.gpus.nvml.unavailable_reason.clear();
  const Metrics unmatched = Probe(system);
  EXPECT_EQ(unmatched.not_measured.at("gpu_mig_enabled"),
            "CUDA device 0 has no NVML device at its PCI address (0000:1B:00.0)");

  system.gpus.nvml.devices = {Nvml(0, true, "", 700)};
  system.gpus.nvml.devices[0].unknown["mig_mode"] =
      "nvmlDeviceGetMigMode: symbol not exported by this driver";
  const Metrics old_driver = Probe(system);
  EXPECT_EQ(old_driver.not_measured.at("gpu_mig_enabled"),
            "CUDA device 0: nvmlDeviceGetMigMode: symbol not exported by this driver");
  EXPECT_EQ(std::get<bool>(old_driver.values.at("gpu_persistence_mode")), true);

  checks::SystemDescription cpu_only;
  cpu_only.cpu_cores = 2;
  cpu_only.memory_gib = 8;
  cpu_only.gpus.unavailable_reason = "CUDA driver library not loadable: libcuda.so.1";
  EXPECT_THAT(Probe(cpu_only).not_measured.at("gpu_min_power_limit_w"),
              HasSubstr("no CUDA device: CUDA driver library not loadable"));
}

}  // namespace
}  // namespace lepton::bench
