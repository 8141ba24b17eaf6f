#include "conformance/checks/telemetry_fields.h"

#include <cstdio>
#include <string_view>
#include <utility>

namespace lepton::checks {
namespace {

constexpr std::array<std::pair<std::uint64_t, std::string_view>, 9> kReasonNames = {{
    {kReasonGpuIdle, "gpu_idle"},
    {kReasonApplicationsClocksSetting, "applications_clocks_setting"},
    {kReasonSwPowerCap, "sw_power_cap"},
    {kReasonHwSlowdown, "hw_slowdown"},
    {kReasonSyncBoost, "sync_boost"},
    {kReasonSwThermalSlowdown, "sw_thermal_slowdown"},
    {kReasonHwThermalSlowdown, "hw_thermal_slowdown"},
    {kReasonHwPowerBrakeSlowdown, "hw_power_brake_slowdown"},
    {kReasonDisplayClockSetting, "display_clock_setting"},
}};

}  // namespace

std::vector<std::string> DecodeClocksEventReasons(std::uint64_t reasons) {
  std::vector<std::string> names;
  for (int bit = 0; bit < 64; ++bit) {
    const std::uint64_t mask = std::uint64_t{1} << bit;
    if ((reasons & mask) == 0) continue;
    std::string name;
    for (const auto& [known, known_name] : kReasonNames) {
      if (known == mask) name = known_name;
    }
    if (name.empty()) {
      char text[32];
      std::snprintf(text, sizeof(text), "unknown_0x%llx", static_cast<unsigned long long>(mask));
      name = text;
    }
    names.push_back(std::move(name));
  }
  return names;
}

}  // namespace lepton::checks
