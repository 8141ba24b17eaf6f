// The NVML probe against testdata/fake_nvml.cc, loaded through the probe's own dlopen path: a
// current driver (LEPTON_FAKE_NVML) and an old one missing newer symbols
// (LEPTON_FAKE_NVML_OLD_DRIVER).

#include "conformance/checks/nvml_probe.h"

#include <dlfcn.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "conformance/checks/system_probe.h"
#include "conformance/checks/testdata/fake_nvml_control.h"

namespace lepton::checks {
namespace {

using ::testing::HasSubstr;

using FakeNvml = FakeNvmlControl;

TEST(NvmlProbe, DescribesEveryDeviceNvmlEnumerates) {
  FakeNvml fake(LEPTON_FAKE_NVML);
  ASSERT_TRUE(fake.loaded()) << ::dlerror();
  fake.SetDeviceCount(3);
  const NvmlProbe probe = ProbeNvml(LEPTON_FAKE_NVML);
  EXPECT_EQ(probe.unavailable_reason, "");
  EXPECT_EQ(probe.library, LEPTON_FAKE_NVML);
  EXPECT_EQ(probe.driver_version, "999.99-fake");
  EXPECT_EQ(probe.nvml_version, "99.999.99-fake");
  ASSERT_EQ(probe.devices.size(), 3U);

  const NvmlDevice& first = probe.devices[0];
  EXPECT_EQ(first.index, 0);
  EXPECT_EQ(first.cuda_ordinal, std::nullopt);  // matching is the system probe's step
  EXPECT_EQ(first.name, "Fake H100 80GB HBM3");
  EXPECT_EQ(first.uuid, "GPU-fa4e0000-0000-0000-0000-000000000000");
  EXPECT_EQ(first.pci_bus_id, "00000000:1B:00.0");
  EXPECT_EQ(first.mig_mode, "disabled");
  EXPECT_EQ(first.mig_mode_pending, "disabled");
  EXPECT_EQ(first.persistence_mode, true);
  EXPECT_EQ(first.power_limit_enforced_w, 650.0);
  EXPECT_EQ(first.power_limit_default_w, 700.0);
  EXPECT_EQ(first.power_limit_min_w, 200.0);
  EXPECT_EQ(first.power_limit_max_w, 700.0);
  EXPECT_EQ(first.pcie_generation, 4);
  EXPECT_EQ(first.pcie_max_generation, 5);
  EXPECT_EQ(first.pcie_width, 16);
  EXPECT_EQ(first.pcie_max_width, 16);
  EXPECT_EQ(first.nvlinks_active, 18);
  EXPECT_EQ(first.sm_clock_mhz, 345);
  EXPECT_EQ(first.sm_clock_max_mhz, 1980);
  EXPECT_EQ(first.memory_clock_mhz, 2619);
  EXPECT_EQ(first.memory_clock_max_mhz, 2619);
  EXPECT_EQ(first.ecc_enabled, true);
  EXPECT_EQ(first.ecc_pending, true);
  EXPECT_TRUE(first.unknown.empty());

  const NvmlDevice& second = probe.devices[1];
  EXPECT_EQ(second.pci_bus_id, "00000000:2C:00.0");
  EXPECT_EQ(second.mig_mode, "enabled");
  EXPECT_EQ(second.nvlinks_active, 17);

  // No MIG and no NVLink on this one: stated, not unknown.
  const NvmlDevice& third = probe.devices[2];
  EXPECT_EQ(third.mig_mode, "not-supported");
  EXPECT_EQ(third.mig_mode_pending, "not-supported");
  EXPECT_EQ(third.nvlinks_active, 0);
  EXPECT_EQ(third.persistence_mode, false);
  EXPECT_TRUE(third.unknown.empty());
}

TEST(NvmlProbe, AQueryNvmlRefusesIsUnknownWithNvmlsReason) {
  FakeNvml fake(LEPTON_FAKE_NVML);
  fake.Fail("nvmlDeviceGetPersistenceMode", 4);
  fake.Fail("nvmlDeviceGetPowerManagementLimitConstraints", 3);
  fake.Fail("nvmlDeviceGetNvLinkState", 15);
  fake.Fail("nvmlDeviceGetEccMode", 3);
  const NvmlProbe probe = ProbeNvml(LEPTON_FAKE_NVML);
  ASSERT_EQ(probe.devices.size(), 1U);
  const NvmlDevice& device = probe.devices[0];
  EXPECT_EQ(device.persistence_mode, std::nullopt);
  EXPECT_EQ(device.unknown.at("persistence_mode"),
            "nvmlDeviceGetPersistenceMode: Insufficient Permissions (NVML error 4)");
  EXPECT_EQ(device.power_limit_min_w, std::nullopt);
  EXPECT_EQ(device.power_limit_max_w, std::nullopt);
  EXPECT_EQ(device.unknown.at("power_limit_max_w"),
            "nvmlDeviceGetPowerManagementLimitConstraints: Not Supported (NVML error 3)");
  EXPECT_EQ(device.nvlinks_active, std::nullopt);
  EXPECT_EQ(device.unknown.at("nvlinks_active"),
            "nvmlDeviceGetNvLinkState: GPU is lost (NVML error 15)");
  EXPECT_EQ(device.ecc_enabled, std::nullopt);
  EXPECT_EQ(device.unknown.at("ecc_pending"), "nvmlDeviceGetEccMode: Not Supported (NVML error 3)");
  EXPECT_EQ(device.unknown.size(), 6U);
  EXPECT_EQ(device.power_limit_enforced_w, 650.0);  // the others still read
  EXPECT_EQ(device.mig_mode, "disabled");
}

TEST(NvmlProbe, AnOldDriverWithoutNewerSymbolsNamesThemAndReadsTheRest) {
  FakeNvml fake(LEPTON_FAKE_NVML_OLD_DRIVER);
  ASSERT_TRUE(fake.loaded()) << ::dlerror();
  fake.SetDeviceCount(2);
  const NvmlProbe probe = ProbeNvml(LEPTON_FAKE_NVML_OLD_DRIVER);
  EXPECT_EQ(probe.unavailable_reason, "");
  ASSERT_EQ(probe.devices.size(), 2U);
  const NvmlDevice& device = probe.devices[0];
  EXPECT_EQ(device.mig_mode, "");
  EXPECT_EQ(device.unknown.at("mig_mode"),
            "nvmlDeviceGetMigMode: symbol not exported by this driver");
  EXPECT_EQ(device.unknown.at("mig_mode_pending"),
            "nvmlDeviceGetMigMode: symbol not exported by this driver");
  EXPECT_EQ(device.pci_bus_id, "");
  EXPECT_EQ(device.unknown.at("pci_bus_id"),
            "nvmlDeviceGetPciInfo_v3: symbol not exported by this driver");
  EXPECT_EQ(device.unknown.at("power_limit_default_w"),
            "nvmlDeviceGetPowerManagementDefaultLimit: symbol not exported by this driver");
  EXPECT_EQ(device.unknown.size(), 4U);
  EXPECT_EQ(device.persistence_mode, true);
  EXPECT_EQ(device.power_limit_enforced_w, 650.0);
  EXPECT_EQ(device.nvlinks_active, 18);
  EXPECT_EQ(device.uuid, "GPU-fa4e0000-0000-0000-0000-000000000000");
}

TEST(NvmlProbe, AbsentOrFailingNvmlIsReportedNotFatal) {
  const NvmlProbe absent = ProbeNvml("libnvidia-ml-that-does-not-exist.so.1");
  EXPECT_THAT(absent.unavailable_reason, HasSubstr("NVML not loadable (no NVIDIA driver?)"));
  EXPECT_TRUE(absent.devices.empty());
  const NvmlProbe not_nvml = ProbeNvml("libz.so.1");
  EXPECT_EQ(not_nvml.unavailable_reason,
            "libz.so.1 lacks an NVML entry point the GPU probe needs (nvmlInit_v2, nvmlShutdown, "
            "nvmlErrorString, nvmlDeviceGetCount_v2, nvmlDeviceGetHandleByIndex_v2)");

  FakeNvml fake(LEPTON_FAKE_NVML);
  fake.Fail("nvmlInit_v2", 9);
  EXPECT_EQ(ProbeNvml(LEPTON_FAKE_NVML).unavailable_reason,
            "nvmlInit_v2 failed: Driver Not Loaded (NVML error 9)");
  fake.Fail("nvmlInit_v2", 0);
  fake.Fail("nvmlDeviceGetCount_v2", 15);
  const NvmlProbe lost = ProbeNvml(LEPTON_FAKE_NVML);
  EXPECT_EQ(lost.unavailable_reason, "nvmlDeviceGetCount_v2 failed: GPU is lost (NVML error 15)");
  EXPECT_EQ(lost.driver_version, "999.99-fake");  // what was read before still stands
}

TEST(PciBusId, ParsesNvmlAndCudaSpellingsAlike) {
  const auto nvml = ParsePciBusId("00000000:1B:00.0");
  const auto cuda = ParsePciBusId("0000:1b:00.0");
  ASSERT_TRUE(nvml.has_value());
  EXPECT_EQ(nvml, cuda);
  EXPECT_EQ(nvml->bus, 0x1BU);
  EXPECT_EQ(ParsePciBusId("0001:C2:1f.7"), (PciAddress{1, 0xC2, 0x1F, 7}));
  EXPECT_EQ(ParsePciBusId("3b:00.0"), (PciAddress{0, 0x3B, 0, 0}));
  EXPECT_NE(ParsePciBusId("0000:1B:00.0"), ParsePciBusId("0001:1B:00.0"));
  for (const char* bad : {"", "0000:1B:00", "1B.0", "0000:1B:00.x", "zz:00.0", "0000::00.0"}) {
    EXPECT_EQ(ParsePciBusId(bad), std::nullopt) << bad;
  }
}

TEST(NvmlProbe, DevicesMatchCudaOrdinalsByPciBusIdNotByIndex) {
  FakeNvml fake(LEPTON_FAKE_NVML);
  fake.SetDeviceCount(3);  // at buses 1B, 2C and 3D
  GpuProbe gpus;
  gpus.devices.resize(2);
  gpus.devices[0].ordinal = 0;  // CUDA puts the faster device first
  gpus.devices[0].pci_bus_id = "0000:2C:00.0";
  gpus.devices[1].ordinal = 1;
  gpus.devices[1].pci_bus_id = "0000:1b:00.0";
  gpus.nvml = ProbeNvml(LEPTON_FAKE_NVML);
  MatchNvmlToCuda(gpus);
  ASSERT_EQ(gpus.nvml.devices.size(), 3U);
  EXPECT_EQ(gpus.nvml.devices[0].cuda_ordinal, 1);
  EXPECT_EQ(gpus.nvml.devices[1].cuda_ordinal, 0);
  EXPECT_EQ(gpus.nvml.devices[2].cuda_ordinal, std::nullopt);  // hidden from CUDA
  EXPECT_FALSE(gpus.nvml.devices[2].unknown.contains("cuda_ordinal"));
}

TEST(NvmlProbe, WithoutABusIdFromNvmlTheOrdinalIsUnknownWithTheReason) {
  FakeNvml fake(LEPTON_FAKE_NVML_OLD_DRIVER);
  GpuProbe gpus;
  gpus.devices.resize(1);
  gpus.devices[0].pci_bus_id = "0000:1B:00.0";
  gpus.nvml = ProbeNvml(LEPTON_FAKE_NVML_OLD_DRIVER);
  MatchNvmlToCuda(gpus);
  ASSERT_EQ(gpus.nvml.devices.size(), 1U);
  EXPECT_EQ(gpus.nvml.devices[0].cuda_ordinal, std::nullopt);
  EXPECT_EQ(gpus.nvml.devices[0].unknown.at("cuda_ordinal"),
            "no PCI bus id from NVML to match the CUDA devices by (nvmlDeviceGetPciInfo_v3: "
            "symbol not exported by this driver)");
}

}  // namespace
}  // namespace lepton::checks
