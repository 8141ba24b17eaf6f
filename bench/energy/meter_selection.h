#pragma once
// Which energy meter a run uses: `lepton-cert run --energy auto|nvml|nvml-sampled|rapl|
// power-log|none`. auto takes the power log when one is given (it measures the whole system at
// the wall or BMC), else NVML on a cuda profile and RAPL on a cpu one. One meter per run: its
// figures and its method go to the report together.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "bench/energy/energy_meter.h"

namespace lepton::bench {

enum class MeterChoice { kAuto, kNvml, kNvmlSampled, kRapl, kPowerLog, kNone };
std::optional<MeterChoice> ParseMeterChoice(std::string_view text);
std::string_view MeterChoiceName(MeterChoice choice);

struct MeterSelection {
  MeterChoice choice = MeterChoice::kAuto;
  std::optional<std::filesystem::path> power_log;
  spec::EnergyTier power_log_tier = spec::EnergyTier::kAnalyser;
  std::string nvml_library = "libnvidia-ml.so.1";
  std::filesystem::path powercap_root = "/sys/class/powercap";
};

// Checks the selection before anything runs (a power log chosen without a file, or a file that
// is missing or malformed now); InvalidArgument or NotFound naming the problem.
Status CheckMeterSelection(const MeterSelection& selection);

// The meter for `device` (cpu | cuda) under the profile's settings, or Unavailable saying which
// meter was tried and why it cannot measure here.
Result<std::unique_ptr<EnergyMeter>> OpenEnergyMeter(const MeterSelection& selection,
                                                     std::string_view device,
                                                     const spec::EnergySettings& settings);

}  // namespace lepton::bench
