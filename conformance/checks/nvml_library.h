#pragma once
// libnvidia-ml loaded with dlopen: the NVML entry points the GPU probe and the energy meter use,
// declared here by NVML's stable C ABI (no header needed, no link dependency), so the binary runs
// where no driver exists and a test can load a stand-in library through the same path.
//
// Only the entry points every NVML since R3xx exports are required at load (init, shutdown,
// error strings, device enumeration); every other one is looked up once and, where this driver
// does not export it, its call answers kNvmlSymbolMissing instead of an NVML code.

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/core/status.h"

namespace lepton::checks {

inline constexpr const char* kNvmlLibrary = "libnvidia-ml.so.1";

// NVML's type for energy in millijoules, as its ABI declares it.
using NvmlMillijoules = unsigned long long;  // NOLINT(google-runtime-int)
// NVML's 64-bit counters and bitmasks (ECC counts, clocks event reasons).
using NvmlU64 = unsigned long long;  // NOLINT(google-runtime-int)

// nvmlReturn_t values the callers tell apart (nvml.h).
inline constexpr int kNvmlSuccess = 0;
inline constexpr int kNvmlErrorInvalidArgument = 2;
inline constexpr int kNvmlErrorNotSupported = 3;
inline constexpr int kNvmlErrorNoPermission = 4;
inline constexpr int kNvmlErrorInsufficientSize = 7;
// Not an NVML code (they are all >= 0): the loaded library does not export the function.
inline constexpr int kNvmlSymbolMissing = -1;

// nvmlEnableState_t.
inline constexpr int kNvmlFeatureDisabled = 0;
inline constexpr int kNvmlFeatureEnabled = 1;
// nvmlDeviceGetMigMode's modes (NVML_DEVICE_MIG_DISABLE, NVML_DEVICE_MIG_ENABLE).
inline constexpr unsigned int kNvmlMigDisable = 0;
inline constexpr unsigned int kNvmlMigEnable = 1;
// NVML_NVLINK_MAX_LINKS of current drivers: the link indices nvmlDeviceGetNvLinkState accepts.
inline constexpr unsigned int kNvmlNvLinkMaxLinks = 18;

// nvmlClockType_t.
enum class NvmlClock : int { kGraphics = 0, kSm = 1, kMemory = 2, kVideo = 3 };

// nvmlEccBitType_t and nvmlEccCounterType_t.
enum class NvmlEccError : int { kCorrected = 0, kUncorrected = 1 };
inline constexpr int kNvmlVolatileEcc = 0;
// nvmlPcieUtilCounter_t.
enum class NvmlPcieCounter : int { kTxBytes = 0, kRxBytes = 1 };

// nvmlUtilization_t: percent of the last sample period the GPU (a kernel) and the memory (a read
// or write) were busy.
struct NvmlUtilization {
  unsigned int gpu;
  unsigned int memory;
};

// nvmlPciInfo_t as nvmlDeviceGetPciInfo_v3 fills it: field for field, the same sizes (68 bytes).
struct NvmlPciInfo {
  char bus_id_legacy[16];         // NVML_DEVICE_PCI_BUS_ID_BUFFER_V2_SIZE: "0000:1B:00.0"
  unsigned int domain;            // 0 to 0xffffffff
  unsigned int bus;               // 0 to 0xff
  unsigned int device;            // 0 to 31
  unsigned int pci_device_id;     // 16-bit device id << 16 | 16-bit vendor id
  unsigned int pci_subsystem_id;  // 32-bit subsystem device id
  char bus_id[32];                // NVML_DEVICE_PCI_BUS_ID_BUFFER_SIZE: "00000000:1B:00.0"
};
static_assert(sizeof(NvmlPciInfo) == 68, "nvmlPciInfo_t is 16 + 5 x 4 + 32 bytes");

class NvmlLibrary {
 public:
  using Device = void*;  // nvmlDevice_t

  // dlopen(path), the required symbols (the always-present ones and `also_required`, which
  // `user` needs), nvmlInit_v2. Unavailable with dlerror's or NVML's words.
  static Result<std::shared_ptr<NvmlLibrary>> Load(
      const std::string& path, std::span<const std::string_view> also_required = {},
      std::string_view user = "the GPU probe");
  NvmlLibrary(const NvmlLibrary&) = delete;
  NvmlLibrary& operator=(const NvmlLibrary&) = delete;
  ~NvmlLibrary();  // nvmlShutdown, dlclose

  // Every device NVML enumerates, in NVML's (PCI) order.
  Result<std::vector<Device>> Devices() const;

  // Raw nvmlReturn_t codes (or kNvmlSymbolMissing): the caller decides what NOT_SUPPORTED means.
  int TotalEnergyMillijoules(Device device, NvmlMillijoules* millijoules) const;
  int PowerMilliwatts(Device device, unsigned int* milliwatts) const;
  int PciInfo(Device device, NvmlPciInfo* info) const;  // ..GetPciInfo_v3
  int Name(Device device, std::string* name) const;     // ..GetName
  int Uuid(Device device, std::string* uuid) const;     // ..GetUUID
  int MigMode(Device device, unsigned int* current, unsigned int* pending) const;
  int PersistenceMode(Device device, int* state) const;  // nvmlEnableState_t
  int EnforcedPowerLimit(Device device, unsigned int* milliwatts) const;
  int DefaultPowerLimit(Device device, unsigned int* milliwatts) const;
  int PowerLimitConstraints(Device device, unsigned int* min_milliwatts,
                            unsigned int* max_milliwatts) const;
  int CurrentPcieGeneration(Device device, unsigned int* generation) const;
  int MaxPcieGeneration(Device device, unsigned int* generation) const;
  int CurrentPcieWidth(Device device, unsigned int* lanes) const;
  int MaxPcieWidth(Device device, unsigned int* lanes) const;
  int NvLinkState(Device device, unsigned int link, int* state) const;  // nvmlEnableState_t
  int ClockMhz(Device device, NvmlClock clock, unsigned int* mhz) const;
  int MaxClockMhz(Device device, NvmlClock clock, unsigned int* mhz) const;
  int EccMode(Device device, int* current, int* pending) const;  // nvmlEnableState_t
  // The telemetry sampler's reads (bench/telemetry/).
  int TemperatureCelsius(Device device, unsigned int* celsius) const;  // NVML_TEMPERATURE_GPU
  int Utilization(Device device, NvmlUtilization* utilization) const;
  // nvmlDeviceGetCurrentClocksEventReasons (R535 and newer), else the older name of the same
  // call, nvmlDeviceGetCurrentClocksThrottleReasons.
  int ClocksEventReasons(Device device, NvmlU64* reasons) const;
  int VolatileEccErrors(Device device, NvmlEccError error, NvmlU64* count) const;
  int PcieThroughputKBps(Device device, NvmlPcieCounter counter, unsigned int* kilobytes) const;

  // "Not Supported (NVML error 3)"; for kNvmlSymbolMissing "symbol not exported by this driver".
  [[nodiscard]] std::string Describe(int code) const;
  // The driver version, or "unknown" when the library does not say.
  [[nodiscard]] std::string DriverVersion() const;
  // nvmlSystemGetNVMLVersion, or "" when the library does not say.
  [[nodiscard]] std::string NvmlVersion() const;
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  struct Functions;
  NvmlLibrary(void* handle, std::string path, std::unique_ptr<Functions> functions);

  void* handle_;
  std::string path_;
  std::unique_ptr<Functions> functions_;
};

}  // namespace lepton::checks
