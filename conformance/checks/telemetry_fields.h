#pragma once
// What the GPU telemetry sampler reads, by name and unit, and NVML's clocks event ("throttle")
// reasons decoded to names. The names are the report's (runs[].telemetry.gpus[].fields[].name).

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lepton::checks {

enum class TelemetryField : int {
  kSmClockMhz,
  kMemoryClockMhz,
  kTemperatureC,
  kPowerW,
  kGpuUtilization,
  kMemoryUtilization,
  // Volatile ECC error counts (since the driver loaded); summarised as the increase over a region.
  kEccCorrected,
  kEccUncorrected,
  kPcieTxMBps,
  kPcieRxMBps,
};
inline constexpr std::size_t kTelemetryFieldCount = 10;

struct TelemetryFieldInfo {
  std::string_view name;
  std::string_view unit;
  bool counter;  // a running count: a region's figures are the increase since its first reading
};

inline constexpr std::array<TelemetryFieldInfo, kTelemetryFieldCount> kTelemetryFields = {{
    {"sm_clock_mhz", "MHz", false},
    {"memory_clock_mhz", "MHz", false},
    {"temperature_c", "C", false},
    {"power_w", "W", false},
    {"gpu_utilization_pct", "%", false},
    {"memory_utilization_pct", "%", false},
    {"ecc_volatile_corrected", "count", true},
    {"ecc_volatile_uncorrected", "count", true},
    {"pcie_tx_mbps", "MB/s", false},
    {"pcie_rx_mbps", "MB/s", false},
}};

inline const TelemetryFieldInfo& FieldInfo(TelemetryField field) {
  return kTelemetryFields[static_cast<std::size_t>(field)];
}

// nvmlClocksEventReasons bits (nvml.h, nvmlClocksThrottleReason* before R535).
inline constexpr std::uint64_t kReasonGpuIdle = 0x1;
inline constexpr std::uint64_t kReasonApplicationsClocksSetting = 0x2;
inline constexpr std::uint64_t kReasonSwPowerCap = 0x4;
inline constexpr std::uint64_t kReasonHwSlowdown = 0x8;
inline constexpr std::uint64_t kReasonSyncBoost = 0x10;
inline constexpr std::uint64_t kReasonSwThermalSlowdown = 0x20;
inline constexpr std::uint64_t kReasonHwThermalSlowdown = 0x40;
inline constexpr std::uint64_t kReasonHwPowerBrakeSlowdown = 0x80;
inline constexpr std::uint64_t kReasonDisplayClockSetting = 0x100;

// The reasons that mean the GPU held its clocks down for heat or power: its figures then show
// the cooling or the power limit, not the hardware. HW slowdown is NVML's "temperature too high,
// external power brake or power draw too high"; idle, application clocks, sync boost and display
// clocks are settings or load, not a limit being hit.
inline constexpr std::uint64_t kThermalOrPowerReasons =
    kReasonSwPowerCap | kReasonHwSlowdown | kReasonSwThermalSlowdown | kReasonHwThermalSlowdown |
    kReasonHwPowerBrakeSlowdown;

// The same reasons by the names the report gives them, for reading a report back: a verifier
// recomputes thermal_or_power_throttled from the reasons listed.
inline constexpr std::array<std::string_view, 5> kThermalOrPowerReasonNames = {
    "sw_power_cap", "hw_slowdown", "sw_thermal_slowdown", "hw_thermal_slowdown",
    "hw_power_brake_slowdown"};

inline bool IsThermalOrPowerReasonName(std::string_view name) {
  for (std::string_view known : kThermalOrPowerReasonNames) {
    if (known == name) return true;
  }
  return false;
}

// The names of the bits set in `reasons`, lowest bit first; an undocumented bit as
// "unknown_0x200".
std::vector<std::string> DecodeClocksEventReasons(std::uint64_t reasons);

}  // namespace lepton::checks
