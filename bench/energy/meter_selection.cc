#include "bench/energy/meter_selection.h"

#include <array>
#include <utility>

#include "bench/energy/nvml_meter.h"
#include "bench/energy/power_log.h"
#include "bench/energy/power_log_meter.h"
#include "bench/energy/rapl_meter.h"

namespace lepton::bench {
namespace {

constexpr std::array<std::pair<MeterChoice, std::string_view>, 6> kChoices = {{
    {MeterChoice::kAuto, "auto"},
    {MeterChoice::kNvml, "nvml"},
    {MeterChoice::kNvmlSampled, "nvml-sampled"},
    {MeterChoice::kRapl, "rapl"},
    {MeterChoice::kPowerLog, "power-log"},
    {MeterChoice::kNone, "none"},
}};

// A power log written live ends a little after the run; wait twice the largest tolerated gap.
double SettleSeconds(const spec::EnergySettings& settings) { return 2 * settings.max_gap_s; }

Result<std::unique_ptr<EnergyMeter>> WithContext(Result<std::unique_ptr<EnergyMeter>> meter,
                                                 std::string_view context) {
  if (meter) return meter;
  return std::unexpected(meter.error().WithContext(context));
}

}  // namespace

std::optional<MeterChoice> ParseMeterChoice(std::string_view text) {
  for (const auto& [choice, name] : kChoices) {
    if (name == text) return choice;
  }
  return std::nullopt;
}

std::string_view MeterChoiceName(MeterChoice choice) {
  for (const auto& [candidate, name] : kChoices) {
    if (candidate == choice) return name;
  }
  return "unknown";
}

Status CheckMeterSelection(const MeterSelection& selection) {
  if (selection.choice == MeterChoice::kPowerLog && !selection.power_log) {
    return InvalidArgumentError("--energy power-log needs --power-log FILE.csv");
  }
  if (selection.power_log && selection.choice != MeterChoice::kAuto &&
      selection.choice != MeterChoice::kPowerLog) {
    return InvalidArgumentError("--power-log is read only with --energy power-log or auto, not " +
                                std::string(MeterChoiceName(selection.choice)));
  }
  if (selection.power_log_tier != spec::EnergyTier::kAnalyser &&
      selection.power_log_tier != spec::EnergyTier::kBmc) {
    return InvalidArgumentError("--power-log-source must be analyser or bmc");
  }
  if (selection.power_log) {
    // The log as it stands must already be well formed: a typo must not cost a whole run.
    LEPTON_RETURN_IF_ERROR(ReadPowerLog(*selection.power_log));
  }
  return OkStatus();
}

Result<std::unique_ptr<EnergyMeter>> OpenEnergyMeter(const MeterSelection& selection,
                                                     std::string_view device,
                                                     const spec::EnergySettings& settings) {
  MeterChoice choice = selection.choice;
  if (choice == MeterChoice::kAuto) {
    if (selection.power_log) {
      choice = MeterChoice::kPowerLog;
    } else {
      choice = device == "cuda" ? MeterChoice::kNvml : MeterChoice::kRapl;
    }
  }
  switch (choice) {
    case MeterChoice::kNone:
      return std::unexpected(UnavailableError("energy measurement switched off (--energy none)"));
    case MeterChoice::kRapl:
      return WithContext(
          OpenRaplMeter({selection.powercap_root, settings.sample_hz, settings.max_gap_s}), "RAPL");
    case MeterChoice::kNvml:
    case MeterChoice::kNvmlSampled:
      return WithContext(OpenNvmlMeter({selection.nvml_library,
                                        choice == MeterChoice::kNvml ? NvmlMode::kCounterElseSampled
                                                                     : NvmlMode::kSampled,
                                        settings.sample_hz, settings.max_gap_s}),
                         "NVML");
    case MeterChoice::kPowerLog: {
      if (!selection.power_log) {
        return std::unexpected(UnavailableError("no power log given (--power-log FILE.csv)"));
      }
      PowerLogOptions options;
      options.path = *selection.power_log;
      options.tier = selection.power_log_tier;
      options.max_gap_s = settings.max_gap_s;
      options.settle_s = SettleSeconds(settings);
      return WithContext(OpenPowerLogMeter(options), "power log");
    }
    case MeterChoice::kAuto:
      break;
  }
  return std::unexpected(InternalError("unhandled meter choice"));
}

}  // namespace lepton::bench
