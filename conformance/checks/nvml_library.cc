#include "conformance/checks/nvml_library.h"

#include <dlfcn.h>

#include <array>

namespace lepton::checks {

// The entry points by NVML's C ABI: nvmlReturn_t, nvmlEnableState_t and nvmlClockType_t are int
// enums, nvmlDevice_t a pointer. The comment names the symbol each is bound to.
struct NvmlLibrary::Functions {
  // Required.
  int (*init)() = nullptr;                                // nvmlInit_v2
  int (*shutdown)() = nullptr;                            // nvmlShutdown
  const char* (*error_string)(int) = nullptr;             // nvmlErrorString
  int (*device_count)(unsigned int*) = nullptr;           // nvmlDeviceGetCount_v2
  int (*device_handle)(unsigned int, Device*) = nullptr;  // nvmlDeviceGetHandleByIndex_v2
  // Optional: a call through a missing one answers kNvmlSymbolMissing.
  int (*total_energy)(Device, NvmlMillijoules*) = nullptr;
  int (*power_usage)(Device, unsigned int*) = nullptr;
  int (*driver_version)(char*, unsigned int) = nullptr;
  int (*nvml_version)(char*, unsigned int) = nullptr;
  int (*pci_info)(Device, NvmlPciInfo*) = nullptr;
  int (*name)(Device, char*, unsigned int) = nullptr;
  int (*uuid)(Device, char*, unsigned int) = nullptr;
  int (*mig_mode)(Device, unsigned int*, unsigned int*) = nullptr;
  int (*persistence_mode)(Device, int*) = nullptr;
  int (*enforced_power_limit)(Device, unsigned int*) = nullptr;
  int (*default_power_limit)(Device, unsigned int*) = nullptr;
  int (*power_limit_constraints)(Device, unsigned int*, unsigned int*) = nullptr;
  int (*pcie_generation)(Device, unsigned int*) = nullptr;
  int (*pcie_max_generation)(Device, unsigned int*) = nullptr;
  int (*pcie_width)(Device, unsigned int*) = nullptr;
  int (*pcie_max_width)(Device, unsigned int*) = nullptr;
  int (*nvlink_state)(Device, unsigned int, int*) = nullptr;
  int (*clock_info)(Device, int, unsigned int*) = nullptr;
  int (*max_clock_info)(Device, int, unsigned int*) = nullptr;
  int (*ecc_mode)(Device, int*, int*) = nullptr;
  int (*temperature)(Device, int, unsigned int*) = nullptr;
  int (*utilization)(Device, NvmlUtilization*) = nullptr;
  int (*clocks_event_reasons)(Device, NvmlU64*) = nullptr;
  int (*total_ecc_errors)(Device, int, int, NvmlU64*) = nullptr;
  int (*pcie_throughput)(Device, int, unsigned int*) = nullptr;
};

namespace {

// NVML_DEVICE_NAME_V2_BUFFER_SIZE, NVML_DEVICE_UUID_V2_BUFFER_SIZE,
// NVML_SYSTEM_NVML_VERSION_BUFFER_SIZE and NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE are 96, 96, 80
// and 80; one buffer size that holds each.
constexpr unsigned int kTextBuffer = 96;

template <typename Fn>
bool Bind(void* handle, const char* name, Fn& target) {
  target = reinterpret_cast<Fn>(::dlsym(handle, name));
  return target != nullptr;
}

// Calls `fn(args...)`, or answers kNvmlSymbolMissing when the driver does not export it.
template <typename Fn, typename... Args>
int Call(Fn fn, Args... args) {
  return fn == nullptr ? kNvmlSymbolMissing : fn(args...);
}

// A text query into a buffer; the text only on success.
template <typename Fn, typename... Args>
int CallText(Fn fn, std::string* text, Args... args) {
  if (fn == nullptr) return kNvmlSymbolMissing;
  std::array<char, kTextBuffer> buffer{};
  const int code = fn(args..., buffer.data(), static_cast<unsigned int>(buffer.size()));
  buffer.back() = '\0';
  if (code == kNvmlSuccess) *text = buffer.data();
  return code;
}

constexpr std::array<std::string_view, 5> kAlwaysRequired = {
    "nvmlInit_v2", "nvmlShutdown", "nvmlErrorString", "nvmlDeviceGetCount_v2",
    "nvmlDeviceGetHandleByIndex_v2"};

}  // namespace

NvmlLibrary::NvmlLibrary(void* handle, std::string path, std::unique_ptr<Functions> functions)
    : handle_(handle), path_(std::move(path)), functions_(std::move(functions)) {}

NvmlLibrary::~NvmlLibrary() {
  functions_->shutdown();
  ::dlclose(handle_);
}

Result<std::shared_ptr<NvmlLibrary>> NvmlLibrary::Load(
    const std::string& path, std::span<const std::string_view> also_required,
    std::string_view user) {
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* error = ::dlerror();
    return std::unexpected(UnavailableError("NVML not loadable (no NVIDIA driver?): " +
                                            std::string(error ? error : path)));
  }
  auto f = std::make_unique<Functions>();
  bool bound = Bind(handle, "nvmlInit_v2", f->init) && Bind(handle, "nvmlShutdown", f->shutdown) &&
               Bind(handle, "nvmlErrorString", f->error_string) &&
               Bind(handle, "nvmlDeviceGetCount_v2", f->device_count) &&
               Bind(handle, "nvmlDeviceGetHandleByIndex_v2", f->device_handle);
  for (std::string_view name : also_required) {
    bound = bound && ::dlsym(handle, std::string(name).c_str()) != nullptr;
  }
  if (!bound) {
    ::dlclose(handle);
    std::string names;
    for (std::string_view name : kAlwaysRequired)
      names += (names.empty() ? "" : ", ") + std::string(name);
    for (std::string_view name : also_required) names += ", " + std::string(name);
    return std::unexpected(UnavailableError(path + " lacks an NVML entry point " +
                                            std::string(user) + " needs (" + names + ")"));
  }
  Bind(handle, "nvmlDeviceGetTotalEnergyConsumption", f->total_energy);
  Bind(handle, "nvmlDeviceGetPowerUsage", f->power_usage);
  Bind(handle, "nvmlSystemGetDriverVersion", f->driver_version);
  Bind(handle, "nvmlSystemGetNVMLVersion", f->nvml_version);
  Bind(handle, "nvmlDeviceGetPciInfo_v3", f->pci_info);
  Bind(handle, "nvmlDeviceGetName", f->name);
  Bind(handle, "nvmlDeviceGetUUID", f->uuid);
  Bind(handle, "nvmlDeviceGetMigMode", f->mig_mode);
  Bind(handle, "nvmlDeviceGetPersistenceMode", f->persistence_mode);
  Bind(handle, "nvmlDeviceGetEnforcedPowerLimit", f->enforced_power_limit);
  Bind(handle, "nvmlDeviceGetPowerManagementDefaultLimit", f->default_power_limit);
  Bind(handle, "nvmlDeviceGetPowerManagementLimitConstraints", f->power_limit_constraints);
  Bind(handle, "nvmlDeviceGetCurrPcieLinkGeneration", f->pcie_generation);
  Bind(handle, "nvmlDeviceGetMaxPcieLinkGeneration", f->pcie_max_generation);
  Bind(handle, "nvmlDeviceGetCurrPcieLinkWidth", f->pcie_width);
  Bind(handle, "nvmlDeviceGetMaxPcieLinkWidth", f->pcie_max_width);
  Bind(handle, "nvmlDeviceGetNvLinkState", f->nvlink_state);
  Bind(handle, "nvmlDeviceGetClockInfo", f->clock_info);
  Bind(handle, "nvmlDeviceGetMaxClockInfo", f->max_clock_info);
  Bind(handle, "nvmlDeviceGetEccMode", f->ecc_mode);
  Bind(handle, "nvmlDeviceGetTemperature", f->temperature);
  Bind(handle, "nvmlDeviceGetUtilizationRates", f->utilization);
  // Renamed in R535; drivers before it export only the throttle name, later ones both.
  if (!Bind(handle, "nvmlDeviceGetCurrentClocksEventReasons", f->clocks_event_reasons)) {
    Bind(handle, "nvmlDeviceGetCurrentClocksThrottleReasons", f->clocks_event_reasons);
  }
  Bind(handle, "nvmlDeviceGetTotalEccErrors", f->total_ecc_errors);
  Bind(handle, "nvmlDeviceGetPcieThroughput", f->pcie_throughput);
  if (const int code = f->init(); code != kNvmlSuccess) {
    const char* words = f->error_string(code);
    ::dlclose(handle);
    return std::unexpected(
        UnavailableError("nvmlInit_v2 failed: " + std::string(words ? words : "unknown error") +
                         " (NVML error " + std::to_string(code) + ")"));
  }
  return std::shared_ptr<NvmlLibrary>(new NvmlLibrary(handle, path, std::move(f)));
}

Result<std::vector<NvmlLibrary::Device>> NvmlLibrary::Devices() const {
  unsigned int count = 0;
  if (const int code = functions_->device_count(&count); code != kNvmlSuccess) {
    return std::unexpected(UnavailableError("nvmlDeviceGetCount_v2 failed: " + Describe(code)));
  }
  std::vector<Device> devices;
  for (unsigned int index = 0; index < count; ++index) {
    Device device = nullptr;
    if (const int code = functions_->device_handle(index, &device); code != kNvmlSuccess) {
      return std::unexpected(UnavailableError("nvmlDeviceGetHandleByIndex_v2(" +
                                              std::to_string(index) +
                                              ") failed: " + Describe(code)));
    }
    devices.push_back(device);
  }
  return devices;
}

int NvmlLibrary::TotalEnergyMillijoules(Device device, NvmlMillijoules* millijoules) const {
  return Call(functions_->total_energy, device, millijoules);
}

int NvmlLibrary::PowerMilliwatts(Device device, unsigned int* milliwatts) const {
  return Call(functions_->power_usage, device, milliwatts);
}

int NvmlLibrary::PciInfo(Device device, NvmlPciInfo* info) const {
  return Call(functions_->pci_info, device, info);
}

int NvmlLibrary::Name(Device device, std::string* name) const {
  return CallText(functions_->name, name, device);
}

int NvmlLibrary::Uuid(Device device, std::string* uuid) const {
  return CallText(functions_->uuid, uuid, device);
}

int NvmlLibrary::MigMode(Device device, unsigned int* current, unsigned int* pending) const {
  return Call(functions_->mig_mode, device, current, pending);
}

int NvmlLibrary::PersistenceMode(Device device, int* state) const {
  return Call(functions_->persistence_mode, device, state);
}

int NvmlLibrary::EnforcedPowerLimit(Device device, unsigned int* milliwatts) const {
  return Call(functions_->enforced_power_limit, device, milliwatts);
}

int NvmlLibrary::DefaultPowerLimit(Device device, unsigned int* milliwatts) const {
  return Call(functions_->default_power_limit, device, milliwatts);
}

int NvmlLibrary::PowerLimitConstraints(Device device, unsigned int* min_milliwatts,
                                       unsigned int* max_milliwatts) const {
  return Call(functions_->power_limit_constraints, device, min_milliwatts, max_milliwatts);
}

int NvmlLibrary::CurrentPcieGeneration(Device device, unsigned int* generation) const {
  return Call(functions_->pcie_generation, device, generation);
}

int NvmlLibrary::MaxPcieGeneration(Device device, unsigned int* generation) const {
  return Call(functions_->pcie_max_generation, device, generation);
}

int NvmlLibrary::CurrentPcieWidth(Device device, unsigned int* lanes) const {
  return Call(functions_->pcie_width, device, lanes);
}

int NvmlLibrary::MaxPcieWidth(Device device, unsigned int* lanes) const {
  return Call(functions_->pcie_max_width, device, lanes);
}

int NvmlLibrary::NvLinkState(Device device, unsigned int link, int* state) const {
  return Call(functions_->nvlink_state, device, link, state);
}

int NvmlLibrary::ClockMhz(Device device, NvmlClock clock, unsigned int* mhz) const {
  return Call(functions_->clock_info, device, static_cast<int>(clock), mhz);
}

int NvmlLibrary::MaxClockMhz(Device device, NvmlClock clock, unsigned int* mhz) const {
  return Call(functions_->max_clock_info, device, static_cast<int>(clock), mhz);
}

int NvmlLibrary::EccMode(Device device, int* current, int* pending) const {
  return Call(functions_->ecc_mode, device, current, pending);
}

int NvmlLibrary::TemperatureCelsius(Device device, unsigned int* celsius) const {
  constexpr int kTemperatureGpu = 0;  // NVML_TEMPERATURE_GPU: the die
  return Call(functions_->temperature, device, kTemperatureGpu, celsius);
}

int NvmlLibrary::Utilization(Device device, NvmlUtilization* utilization) const {
  return Call(functions_->utilization, device, utilization);
}

int NvmlLibrary::ClocksEventReasons(Device device, NvmlU64* reasons) const {
  return Call(functions_->clocks_event_reasons, device, reasons);
}

int NvmlLibrary::VolatileEccErrors(Device device, NvmlEccError error, NvmlU64* count) const {
  return Call(functions_->total_ecc_errors, device, static_cast<int>(error), kNvmlVolatileEcc,
              count);
}

int NvmlLibrary::PcieThroughputKBps(Device device, NvmlPcieCounter counter,
                                    unsigned int* kilobytes) const {
  return Call(functions_->pcie_throughput, device, static_cast<int>(counter), kilobytes);
}

std::string NvmlLibrary::Describe(int code) const {
  if (code == kNvmlSymbolMissing) return "symbol not exported by this driver";
  const char* words = functions_->error_string(code);
  return std::string(words ? words : "unknown error") + " (NVML error " + std::to_string(code) +
         ")";
}

std::string NvmlLibrary::DriverVersion() const {
  std::string version;
  if (CallText(functions_->driver_version, &version) != kNvmlSuccess || version.empty())
    return "unknown";
  return version;
}

std::string NvmlLibrary::NvmlVersion() const {
  std::string version;
  CallText(functions_->nvml_version, &version);
  return version;
}

}  // namespace lepton::checks
