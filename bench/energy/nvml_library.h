#pragma once
// libnvidia-ml loaded with dlopen: the few NVML entry points the energy meter uses, declared by
// NVML's stable C ABI (no header needed, no link dependency), so the binary runs where no
// driver exists and a test can load a stand-in library through the same path.

#include <memory>
#include <string>
#include <vector>

#include "conformance/core/status.h"

namespace lepton::bench {

// NVML's type for energy in millijoules, as its ABI declares it.
using NvmlMillijoules = unsigned long long;  // NOLINT(google-runtime-int)

// nvmlReturn_t values the meter tells apart (nvml.h).
inline constexpr int kNvmlSuccess = 0;
inline constexpr int kNvmlErrorNotSupported = 3;
inline constexpr int kNvmlErrorNoPermission = 4;

class NvmlLibrary {
 public:
  using Device = void*;  // nvmlDevice_t

  // dlopen(path), the symbols, nvmlInit_v2. Unavailable with dlerror's or NVML's words.
  static Result<std::shared_ptr<NvmlLibrary>> Load(const std::string& path);
  NvmlLibrary(const NvmlLibrary&) = delete;
  NvmlLibrary& operator=(const NvmlLibrary&) = delete;
  ~NvmlLibrary();  // nvmlShutdown, dlclose

  // Every device NVML enumerates, in NVML's (PCI) order.
  Result<std::vector<Device>> Devices() const;
  // Raw nvmlReturn_t codes: the caller decides what NOT_SUPPORTED means.
  int TotalEnergyMillijoules(Device device, NvmlMillijoules* millijoules) const;
  int PowerMilliwatts(Device device, unsigned int* milliwatts) const;
  // "Not Supported (NVML error 3)".
  [[nodiscard]] std::string Describe(int code) const;
  // The driver version, or "unknown" when the library does not say.
  [[nodiscard]] std::string DriverVersion() const;
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  struct Functions;
  NvmlLibrary(void* handle, std::string path, std::unique_ptr<Functions> functions);

  void* handle_;
  std::string path_;
  std::unique_ptr<Functions> functions_;
};

}  // namespace lepton::bench
