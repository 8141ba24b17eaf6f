#include "conformance/checks/system_probe.h"

#include <gtest/gtest.h>

namespace lepton::checks {
namespace {

TEST(SystemProbeTest, DescribesThisMachine) {
  const SystemDescription system = ProbeSystem();
  EXPECT_GT(system.cpu_cores, 0);
  ASSERT_TRUE(system.memory_gib.has_value());
  EXPECT_GT(*system.memory_gib, 0.1);
  EXPECT_FALSE(system.kernel.empty());
  EXPECT_TRUE(system.blas.sgemm_exact);
  EXPECT_FALSE(system.blas.lapack_version.empty());
  EXPECT_TRUE(system.libraries.contains("oneDNN"));
  // Either GPUs were counted or the probe says why there are none.
  EXPECT_TRUE(system.gpus.count > 0 || !system.gpus.unavailable_reason.empty());
  // NVML likewise: devices, or the reason there are none (never fatal).
  EXPECT_EQ(system.gpus.nvml.library, kNvmlLibrary);
  EXPECT_TRUE(!system.gpus.nvml.devices.empty() || !system.gpus.nvml.unavailable_reason.empty());
}

TEST(SystemProbeTest, FactsCarryCoresMemoryAndGpus) {
  const SystemDescription system = ProbeSystem();
  const spec::Facts facts = FactsFrom(system);
  EXPECT_EQ(facts.values.at("cpu_cores"), system.cpu_cores);
  EXPECT_EQ(facts.values.at("gpus"), system.gpus.count);
  EXPECT_EQ(facts.values.at("ranks"), 1);
}

TEST(SystemProbeTest, MissingMemoryBecomesUnknownFactWithReason) {
  SystemDescription system;
  system.cpu_cores = 2;
  system.unknown["memory_gib"] = "no /proc";
  const spec::Facts facts = FactsFrom(system);
  EXPECT_FALSE(facts.values.contains("memory_gib"));
  EXPECT_EQ(facts.unknown_reasons.at("memory_gib"), "no /proc");
}

}  // namespace
}  // namespace lepton::checks
