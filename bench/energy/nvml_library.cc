#include "bench/energy/nvml_library.h"

#include <dlfcn.h>

#include <array>

namespace lepton::bench {

// The entry points by NVML's C ABI: nvmlReturn_t is an int enum, nvmlDevice_t a pointer.
struct NvmlLibrary::Functions {
  int (*init)() = nullptr;                                  // nvmlInit_v2
  int (*shutdown)() = nullptr;                              // nvmlShutdown
  int (*device_count)(unsigned int*) = nullptr;             // nvmlDeviceGetCount_v2
  int (*device_handle)(unsigned int, Device*) = nullptr;    // nvmlDeviceGetHandleByIndex_v2
  int (*total_energy)(Device, NvmlMillijoules*) = nullptr;  // ..GetTotalEnergyConsumption
  int (*power_usage)(Device, unsigned int*) = nullptr;      // nvmlDeviceGetPowerUsage
  const char* (*error_string)(int) = nullptr;               // nvmlErrorString
  int (*driver_version)(char*, unsigned int) = nullptr;     // nvmlSystemGetDriverVersion
};

namespace {

template <typename Fn>
bool Bind(void* handle, const char* name, Fn& target) {
  target = reinterpret_cast<Fn>(::dlsym(handle, name));
  return target != nullptr;
}

}  // namespace

NvmlLibrary::NvmlLibrary(void* handle, std::string path, std::unique_ptr<Functions> functions)
    : handle_(handle), path_(std::move(path)), functions_(std::move(functions)) {}

NvmlLibrary::~NvmlLibrary() {
  functions_->shutdown();
  ::dlclose(handle_);
}

Result<std::shared_ptr<NvmlLibrary>> NvmlLibrary::Load(const std::string& path) {
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* error = ::dlerror();
    return std::unexpected(UnavailableError("NVML not loadable (no NVIDIA driver?): " +
                                            std::string(error ? error : path)));
  }
  auto functions = std::make_unique<Functions>();
  const bool bound = Bind(handle, "nvmlInit_v2", functions->init) &&
                     Bind(handle, "nvmlShutdown", functions->shutdown) &&
                     Bind(handle, "nvmlDeviceGetCount_v2", functions->device_count) &&
                     Bind(handle, "nvmlDeviceGetHandleByIndex_v2", functions->device_handle) &&
                     Bind(handle, "nvmlDeviceGetTotalEnergyConsumption", functions->total_energy) &&
                     Bind(handle, "nvmlDeviceGetPowerUsage", functions->power_usage) &&
                     Bind(handle, "nvmlErrorString", functions->error_string);
  if (!bound) {
    ::dlclose(handle);
    return std::unexpected(UnavailableError(
        path +
        " lacks an NVML entry point the energy meter needs (nvmlInit_v2, nvmlShutdown, "
        "nvmlDeviceGetCount_v2, nvmlDeviceGetHandleByIndex_v2, "
        "nvmlDeviceGetTotalEnergyConsumption, nvmlDeviceGetPowerUsage, nvmlErrorString)"));
  }
  // Optional: only the report's description of the source uses it.
  Bind(handle, "nvmlSystemGetDriverVersion", functions->driver_version);
  if (const int code = functions->init(); code != kNvmlSuccess) {
    const char* words = functions->error_string(code);
    ::dlclose(handle);
    return std::unexpected(
        UnavailableError("nvmlInit_v2 failed: " + std::string(words ? words : "unknown error") +
                         " (NVML error " + std::to_string(code) + ")"));
  }
  return std::shared_ptr<NvmlLibrary>(new NvmlLibrary(handle, path, std::move(functions)));
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
  return functions_->total_energy(device, millijoules);
}

int NvmlLibrary::PowerMilliwatts(Device device, unsigned int* milliwatts) const {
  return functions_->power_usage(device, milliwatts);
}

std::string NvmlLibrary::Describe(int code) const {
  const char* words = functions_->error_string(code);
  return std::string(words ? words : "unknown error") + " (NVML error " + std::to_string(code) +
         ")";
}

std::string NvmlLibrary::DriverVersion() const {
  if (functions_->driver_version == nullptr) return "unknown";
  std::array<char, 96> buffer{};
  if (functions_->driver_version(buffer.data(), static_cast<unsigned int>(buffer.size())) !=
      kNvmlSuccess)
    return "unknown";
  return {buffer.data()};
}

}  // namespace lepton::bench
