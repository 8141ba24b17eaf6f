#pragma once
// Energy from an external power log (power_log.h) for labs that measure at the wall or through
// the BMC. The log is aligned to the run's wall clock: the meter maps the runner's steady-clock
// windows to Unix time with the offset between the two clocks taken at Start, reads the log at
// Stop (waiting up to `settle_s` for a live poller to write past the last window), and
// integrates the samples over the windows by the trapezoidal rule. The log must cover the whole
// timed region, and a gap above max_gap_s across a window leaves it not measured.

#include <filesystem>
#include <functional>
#include <memory>

#include "bench/energy/energy_meter.h"
#include "bench/energy/power_log.h"

namespace lepton::bench {

struct PowerLogOptions {
  std::filesystem::path path;
  spec::EnergyTier tier = spec::EnergyTier::kAnalyser;  // analyser or bmc: who wrote the log
  double max_gap_s = 2;
  double settle_s = 4;  // how long Stop waits for the log to reach the last window's end
  // Clocks, injectable so a test can align a fixed log with its windows.
  std::function<double()> steady_now = SteadySeconds;
  std::function<double()> unix_now;  // system_clock when empty
};

// Integrates `log` over windows given in Unix time; what the meter does after reading the log.
Result<EnergyReading> IntegratePowerLog(const PowerLog& log, std::span<const TimeWindow> windows,
                                        double max_gap_s);

// InvalidArgument for a tier other than analyser or bmc; the file is read at Stop.
Result<std::unique_ptr<EnergyMeter>> OpenPowerLogMeter(const PowerLogOptions& options);

}  // namespace lepton::bench
