#pragma once
// The GPU facts NVML knows and the CUDA driver API does not: MIG and persistence mode, power
// limits, the PCIe link, active NVLinks, current and maximum clocks, ECC mode and UUID, per device
// NVML enumerates. NVML is loaded with dlopen (nvml_library.h); where it is absent or refuses,
// the probe says why and the rest of the system description stands. Each field NVML would not
// give stays empty and is named in `unknown` with NVML's reason.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/checks/nvml_library.h"

namespace lepton::checks {

struct NvmlDevice {
  int index = 0;                    // NVML's enumeration index (PCI order)
  std::optional<int> cuda_ordinal;  // matched by PCI bus id; empty when CUDA does not see it
  std::string name;
  std::string uuid;        // "GPU-..."
  std::string pci_bus_id;  // nvmlPciInfo_t.busId: "00000000:1B:00.0"
  // "enabled", "disabled" or "not-supported" (a GPU without MIG); empty when unknown.
  std::string mig_mode;
  std::string mig_mode_pending;  // the mode after the next GPU reset
  std::optional<bool> persistence_mode;
  std::optional<double> power_limit_enforced_w;  // the limit the GPU holds to now
  std::optional<double> power_limit_default_w;
  std::optional<double> power_limit_min_w;  // the range an administrator may set
  std::optional<double> power_limit_max_w;
  std::optional<int> pcie_generation;  // the link's current generation (it drops when idle)
  std::optional<int> pcie_max_generation;
  std::optional<int> pcie_width;  // lanes
  std::optional<int> pcie_max_width;
  // Links nvmlDeviceGetNvLinkState calls active; 0 on a GPU without NVLink (Not Supported).
  std::optional<int> nvlinks_active;
  std::optional<int> sm_clock_mhz;
  std::optional<int> sm_clock_max_mhz;
  std::optional<int> memory_clock_mhz;
  std::optional<int> memory_clock_max_mhz;
  std::optional<bool> ecc_enabled;
  std::optional<bool> ecc_pending;             // the mode after the next reboot
  std::map<std::string, std::string> unknown;  // field -> "nvmlDeviceGet...: NVML's reason"
};

struct NvmlProbe {
  std::string library;             // what was dlopened
  std::string unavailable_reason;  // non-empty when NVML could not be used at all
  std::string driver_version;      // nvmlSystemGetDriverVersion ("580.65.06"); empty if unknown
  std::string nvml_version;        // nvmlSystemGetNVMLVersion; empty if unknown
  std::vector<NvmlDevice> devices;
};

// `library` is the soname; tests pass stand-ins built from testdata/fake_nvml.cc.
NvmlProbe ProbeNvml(const std::string& library = kNvmlLibrary);

// A PCI address, however NVML ("00000000:1B:00.0") or CUDA ("0000:1b:00.0") spells it.
struct PciAddress {
  std::uint32_t domain = 0;
  std::uint32_t bus = 0;
  std::uint32_t device = 0;
  std::uint32_t function = 0;
  friend bool operator==(const PciAddress&, const PciAddress&) = default;
};
// "[domain:]bus:device.function" in hex; nullopt when it is not one.
std::optional<PciAddress> ParsePciBusId(std::string_view text);

}  // namespace lepton::checks
