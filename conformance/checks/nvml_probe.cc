#include "conformance/checks/nvml_probe.h"

#include <charconv>
#include <memory>

namespace lepton::checks {
namespace {

double Watts(unsigned int milliwatts) { return static_cast<double>(milliwatts) / 1000.0; }

std::string MigModeName(unsigned int mode) {
  if (mode == kNvmlMigEnable) return "enabled";
  if (mode == kNvmlMigDisable) return "disabled";
  return "mode " + std::to_string(mode);
}

class DeviceReader {
 public:
  DeviceReader(const NvmlLibrary& nvml, NvmlLibrary::Device handle, NvmlDevice& device)
      : nvml_(nvml), handle_(handle), device_(device) {}

  void ReadAll() {
    ReadIdentity();
    ReadMigMode();
    if (int state = 0; Read("persistence_mode", "nvmlDeviceGetPersistenceMode",
                            nvml_.PersistenceMode(handle_, &state))) {
      device_.persistence_mode = state == kNvmlFeatureEnabled;
    }
    ReadPower();
    ReadUnsigned("pcie_generation", "nvmlDeviceGetCurrPcieLinkGeneration",
                 &NvmlLibrary::CurrentPcieGeneration, device_.pcie_generation);
    ReadUnsigned("pcie_max_generation", "nvmlDeviceGetMaxPcieLinkGeneration",
                 &NvmlLibrary::MaxPcieGeneration, device_.pcie_max_generation);
    ReadUnsigned("pcie_width", "nvmlDeviceGetCurrPcieLinkWidth", &NvmlLibrary::CurrentPcieWidth,
                 device_.pcie_width);
    ReadUnsigned("pcie_max_width", "nvmlDeviceGetMaxPcieLinkWidth", &NvmlLibrary::MaxPcieWidth,
                 device_.pcie_max_width);
    ReadNvLinks();
    ReadClock("sm_clock_mhz", "nvmlDeviceGetClockInfo", false, NvmlClock::kSm,
              device_.sm_clock_mhz);
    ReadClock("sm_clock_max_mhz", "nvmlDeviceGetMaxClockInfo", true, NvmlClock::kSm,
              device_.sm_clock_max_mhz);
    ReadClock("memory_clock_mhz", "nvmlDeviceGetClockInfo", false, NvmlClock::kMemory,
              device_.memory_clock_mhz);
    ReadClock("memory_clock_max_mhz", "nvmlDeviceGetMaxClockInfo", true, NvmlClock::kMemory,
              device_.memory_clock_max_mhz);
    int current = 0;
    int pending = 0;
    const int ecc = nvml_.EccMode(handle_, &current, &pending);
    if (Read("ecc_enabled", "nvmlDeviceGetEccMode", ecc)) {
      device_.ecc_enabled = current == kNvmlFeatureEnabled;
      device_.ecc_pending = pending == kNvmlFeatureEnabled;
    } else {
      device_.unknown["ecc_pending"] = device_.unknown["ecc_enabled"];
    }
  }

 private:
  // True on success; otherwise records `field` as unknown with `symbol` and NVML's reason.
  bool Read(const std::string& field, std::string_view symbol, int code) {
    if (code == kNvmlSuccess) return true;
    device_.unknown[field] = std::string(symbol) + ": " + nvml_.Describe(code);
    return false;
  }

  void ReadIdentity() {
    Read("name", "nvmlDeviceGetName", nvml_.Name(handle_, &device_.name));
    Read("uuid", "nvmlDeviceGetUUID", nvml_.Uuid(handle_, &device_.uuid));
    NvmlPciInfo pci{};
    if (Read("pci_bus_id", "nvmlDeviceGetPciInfo_v3", nvml_.PciInfo(handle_, &pci))) {
      pci.bus_id[sizeof(pci.bus_id) - 1] = '\0';
      device_.pci_bus_id = pci.bus_id;
    }
  }

  void ReadMigMode() {
    unsigned int current = 0;
    unsigned int pending = 0;
    const int code = nvml_.MigMode(handle_, &current, &pending);
    if (code == kNvmlErrorNotSupported) {  // a GPU that cannot be partitioned
      device_.mig_mode = device_.mig_mode_pending = "not-supported";
    } else if (Read("mig_mode", "nvmlDeviceGetMigMode", code)) {
      device_.mig_mode = MigModeName(current);
      device_.mig_mode_pending = MigModeName(pending);
    } else {
      device_.unknown["mig_mode_pending"] = device_.unknown["mig_mode"];
    }
  }

  void ReadPower() {
    unsigned int milliwatts = 0;
    if (Read("power_limit_enforced_w", "nvmlDeviceGetEnforcedPowerLimit",
             nvml_.EnforcedPowerLimit(handle_, &milliwatts))) {
      device_.power_limit_enforced_w = Watts(milliwatts);
    }
    if (Read("power_limit_default_w", "nvmlDeviceGetPowerManagementDefaultLimit",
             nvml_.DefaultPowerLimit(handle_, &milliwatts))) {
      device_.power_limit_default_w = Watts(milliwatts);
    }
    unsigned int low = 0;
    unsigned int high = 0;
    if (Read("power_limit_min_w", "nvmlDeviceGetPowerManagementLimitConstraints",
             nvml_.PowerLimitConstraints(handle_, &low, &high))) {
      device_.power_limit_min_w = Watts(low);
      device_.power_limit_max_w = Watts(high);
    } else {
      device_.unknown["power_limit_max_w"] = device_.unknown["power_limit_min_w"];
    }
  }

  using UnsignedQuery = int (NvmlLibrary::*)(NvmlLibrary::Device, unsigned int*) const;
  void ReadUnsigned(const char* field, std::string_view symbol, UnsignedQuery query,
                    std::optional<int>& target) {
    unsigned int value = 0;
    if (Read(field, symbol, (nvml_.*query)(handle_, &value))) target = static_cast<int>(value);
  }

  void ReadClock(const char* field, std::string_view symbol, bool max, NvmlClock clock,
                 std::optional<int>& target) {
    unsigned int mhz = 0;
    const int code =
        max ? nvml_.MaxClockMhz(handle_, clock, &mhz) : nvml_.ClockMhz(handle_, clock, &mhz);
    if (Read(field, symbol, code)) target = static_cast<int>(mhz);
  }

  // A link NVML answers Not Supported or Invalid Argument for does not exist on this GPU; any
  // other failure leaves the count unknown.
  void ReadNvLinks() {
    int active = 0;
    for (unsigned int link = 0; link < kNvmlNvLinkMaxLinks; ++link) {
      int state = 0;
      const int code = nvml_.NvLinkState(handle_, link, &state);
      if (code == kNvmlErrorNotSupported || code == kNvmlErrorInvalidArgument) continue;
      if (!Read("nvlinks_active", "nvmlDeviceGetNvLinkState", code)) return;
      if (state == kNvmlFeatureEnabled) ++active;
    }
    device_.nvlinks_active = active;
  }

  const NvmlLibrary& nvml_;
  NvmlLibrary::Device handle_;
  NvmlDevice& device_;
};

bool ParseHex(std::string_view text, std::uint32_t& value) {
  if (text.empty()) return false;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
  return error == std::errc() && end == text.data() + text.size();
}

}  // namespace

NvmlProbe ProbeNvml(const std::string& library) {
  NvmlProbe probe;
  probe.library = library;
  auto loaded = NvmlLibrary::Load(library);
  if (!loaded) {
    probe.unavailable_reason = loaded.error().message();
    return probe;
  }
  const std::shared_ptr<NvmlLibrary> nvml = *std::move(loaded);
  if (const std::string version = nvml->DriverVersion(); version != "unknown") {
    probe.driver_version = version;
  }
  probe.nvml_version = nvml->NvmlVersion();
  auto handles = nvml->Devices();
  if (!handles) {
    probe.unavailable_reason = handles.error().message();
    return probe;
  }
  for (std::size_t index = 0; index < handles->size(); ++index) {
    NvmlDevice device;
    device.index = static_cast<int>(index);
    DeviceReader(*nvml, (*handles)[index], device).ReadAll();
    probe.devices.push_back(std::move(device));
  }
  return probe;
}

std::optional<PciAddress> ParsePciBusId(std::string_view text) {
  PciAddress address;
  const std::size_t dot = text.rfind('.');
  if (dot == std::string_view::npos || !ParseHex(text.substr(dot + 1), address.function)) {
    return std::nullopt;
  }
  text = text.substr(0, dot);
  const std::size_t last = text.rfind(':');
  if (last == std::string_view::npos || !ParseHex(text.substr(last + 1), address.device)) {
    return std::nullopt;
  }
  text = text.substr(0, last);
  const std::size_t first = text.rfind(':');
  if (first == std::string_view::npos) {
    if (!ParseHex(text, address.bus)) return std::nullopt;
  } else if (!ParseHex(text.substr(first + 1), address.bus) ||
             !ParseHex(text.substr(0, first), address.domain)) {
    return std::nullopt;
  }
  return address;
}

}  // namespace lepton::checks
