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

}  // namespace
}  // namespace lepton::bench
