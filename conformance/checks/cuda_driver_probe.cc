#include "conformance/checks/cuda_driver_probe.h"

#include <dlfcn.h>

#include <array>
#include <cstddef>
#include <string>

namespace lepton::checks {
namespace {

// Driver API entry points by their stable C ABI: CUresult and CUdevice_attribute are int enums,
// CUdevice is an int.
using CuInit = int (*)(unsigned int);
using CuDriverGetVersion = int (*)(int*);
using CuDeviceGetCount = int (*)(int*);
using CuDeviceGet = int (*)(int*, int);
using CuDeviceGetName = int (*)(char*, int, int);
using CuDeviceTotalMem = int (*)(std::size_t*, int);
using CuDeviceGetAttribute = int (*)(int*, int, int);
using CuDeviceGetPciBusId = int (*)(char*, int, int);

// CUdevice_attribute values (cuda.h of CUDA 13).
constexpr int kClockRateKhz = 13;
constexpr int kMultiprocessorCount = 16;
constexpr int kEccEnabled = 32;
constexpr int kMemoryClockRateKhz = 36;
constexpr int kGlobalMemoryBusWidth = 37;
constexpr int kComputeCapabilityMajor = 75;
constexpr int kComputeCapabilityMinor = 76;

template <typename Fn>
Fn Symbol(void* library, const char* name) {
  return reinterpret_cast<Fn>(::dlsym(library, name));
}

struct DeviceApi {
  CuDeviceGet get = nullptr;
  CuDeviceGetName name = nullptr;
  CuDeviceTotalMem total_mem = nullptr;
  CuDeviceGetAttribute attribute = nullptr;
  CuDeviceGetPciBusId pci_bus_id = nullptr;
};

GpuDevice DescribeDevice(const DeviceApi& api, int ordinal) {
  GpuDevice device;
  device.ordinal = ordinal;
  int handle = 0;
  if (const int result = api.get(&handle, ordinal); result != 0) {
    device.unknown["device"] = "cuDeviceGet failed with CUresult " + std::to_string(result);
    return device;
  }
  std::array<char, 256> text{};
  if (api.name(text.data(), static_cast<int>(text.size()), handle) == 0) {
    device.name = std::string(text.data());
  } else {
    device.unknown["name"] = "cuDeviceGetName failed";
  }
  if (api.pci_bus_id != nullptr &&
      api.pci_bus_id(text.data(), static_cast<int>(text.size()), handle) == 0) {
    device.pci_bus_id = std::string(text.data());
  } else {
    device.unknown["pci_bus_id"] = "cuDeviceGetPCIBusId failed or missing";
  }
  if (std::size_t bytes = 0; api.total_mem(&bytes, handle) == 0) {
    device.memory_gib = static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0);
  } else {
    device.unknown["memory_gib"] = "cuDeviceTotalMem_v2 failed";
  }
  const auto attribute = [&](int which, const char* field) -> std::optional<int> {
    int value = 0;
    if (const int result = api.attribute(&value, which, handle); result != 0) {
      device.unknown[field] = "cuDeviceGetAttribute(" + std::to_string(which) +
                              ") failed with CUresult " + std::to_string(result);
      return std::nullopt;
    }
    return value;
  };
  const auto major = attribute(kComputeCapabilityMajor, "compute_capability");
  const auto minor = attribute(kComputeCapabilityMinor, "compute_capability");
  if (major && minor) {
    device.compute_capability = std::to_string(*major) + "." + std::to_string(*minor);
  }
  device.multiprocessors = attribute(kMultiprocessorCount, "multiprocessors").value_or(0);
  device.clock_mhz = attribute(kClockRateKhz, "clock_mhz").value_or(0) / 1000;
  device.memory_clock_mhz = attribute(kMemoryClockRateKhz, "memory_clock_mhz").value_or(0) / 1000;
  device.memory_bus_bits = attribute(kGlobalMemoryBusWidth, "memory_bus_bits").value_or(0);
  if (const auto ecc = attribute(kEccEnabled, "ecc_enabled")) device.ecc_enabled = *ecc != 0;
  return device;
}

}  // namespace

GpuProbe ProbeCudaDriver(const std::string& library_name) {
  GpuProbe probe;
  void* library = ::dlopen(library_name.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    const char* error = ::dlerror();
    probe.unavailable_reason =
        std::string("CUDA driver library not loadable: ") + (error ? error : library_name.c_str());
    return probe;
  }
  const auto init = Symbol<CuInit>(library, "cuInit");
  const auto driver_version = Symbol<CuDriverGetVersion>(library, "cuDriverGetVersion");
  const auto device_count = Symbol<CuDeviceGetCount>(library, "cuDeviceGetCount");
  const DeviceApi api{Symbol<CuDeviceGet>(library, "cuDeviceGet"),
                      Symbol<CuDeviceGetName>(library, "cuDeviceGetName"),
                      Symbol<CuDeviceTotalMem>(library, "cuDeviceTotalMem_v2"),
                      Symbol<CuDeviceGetAttribute>(library, "cuDeviceGetAttribute"),
                      Symbol<CuDeviceGetPciBusId>(library, "cuDeviceGetPCIBusId")};
  if (init == nullptr || driver_version == nullptr || device_count == nullptr ||
      api.get == nullptr || api.name == nullptr || api.total_mem == nullptr ||
      api.attribute == nullptr) {
    probe.unavailable_reason = library_name + " lacks a driver API entry point the probe needs";
    ::dlclose(library);
    return probe;
  }
  int version = 0;
  if (driver_version(&version) == 0 && version > 0) {
    probe.driver_version =
        std::to_string(version / 1000) + "." + std::to_string(version % 1000 / 10);
  }
  if (const int result = init(0); result != 0) {
    probe.unavailable_reason = "cuInit failed with CUresult " + std::to_string(result);
  } else if (int count = 0; device_count(&count) == 0) {
    probe.count = count;
    if (count == 0) probe.unavailable_reason = "the CUDA driver reports no devices";
    for (int ordinal = 0; ordinal < count; ++ordinal) {
      probe.devices.push_back(DescribeDevice(api, ordinal));
    }
  } else {
    probe.unavailable_reason = "cuDeviceGetCount failed";
  }
  // The driver stays loaded: unloading libcuda after cuInit is not supported.
  return probe;
}

}  // namespace lepton::checks
