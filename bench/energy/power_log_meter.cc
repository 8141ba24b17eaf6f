#include "bench/energy/power_log_meter.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "bench/energy/energy_trace.h"

namespace lepton::bench {
namespace {

double SystemUnixSeconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The median interval between samples: the log's resolution, stated in the evidence.
double MedianInterval(const PowerLog& log) {
  std::vector<double> intervals;
  for (std::size_t i = 1; i < log.samples.size(); ++i) {
    intervals.push_back(log.samples[i].unix_s - log.samples[i - 1].unix_s);
  }
  if (intervals.empty()) return 0;
  const auto middle = intervals.begin() + static_cast<std::ptrdiff_t>(intervals.size() / 2);
  std::nth_element(intervals.begin(), middle, intervals.end());
  return *middle;
}

class PowerLogMeter final : public EnergyMeter {
 public:
  PowerLogMeter(MeterInfo info, PowerLogOptions options)
      : info_(std::move(info)), options_(std::move(options)) {
    if (!options_.unix_now) options_.unix_now = SystemUnixSeconds;
  }

  [[nodiscard]] const MeterInfo& info() const override { return info_; }

  Status Start() override {
    // The steady clock read on both sides of the wall clock: the offset is good to the
    // microseconds between them.
    const double before = options_.steady_now();
    const double unix_now = options_.unix_now();
    const double after = options_.steady_now();
    unix_minus_steady_ = unix_now - 0.5 * (before + after);
    return OkStatus();
  }

  double Mark() override { return options_.steady_now(); }

  Result<EnergyReading> Stop(std::span<const TimeWindow> windows) override {
    std::vector<TimeWindow> unix_windows;
    for (const TimeWindow& window : windows) {
      unix_windows.push_back(
          {window.begin_s + unix_minus_steady_, window.end_s + unix_minus_steady_});
    }
    const double needed = unix_windows.empty() ? 0 : unix_windows.back().end_s;
    const double give_up = options_.steady_now() + options_.settle_s;
    while (true) {
      const bool last_try = options_.steady_now() >= give_up;
      auto log = ReadPowerLog(options_.path);
      // A live poller may be half-way through a line: malformed input is final only at the end.
      if (!log && last_try) return std::unexpected(log.error());
      if (log && (log->samples.back().unix_s >= needed || last_try)) {
        // An end still uncovered is reported by the integration, with the times.
        return IntegratePowerLog(*log, unix_windows, options_.max_gap_s);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }

 private:
  MeterInfo info_;
  PowerLogOptions options_;
  double unix_minus_steady_ = 0;
};

}  // namespace

Result<EnergyReading> IntegratePowerLog(const PowerLog& log, std::span<const TimeWindow> windows,
                                        double max_gap_s) {
  EnergyTrace trace{TraceKind::kWatts, {}, log.name, "Unix time"};
  for (const PowerSample& sample : log.samples) {
    trace.points.push_back({sample.unix_s, sample.watts, sample.line});
  }
  const double resolution = MedianInterval(log);
  return IntegrateOverWindows(trace, windows, {resolution, max_gap_s});
}

Result<std::unique_ptr<EnergyMeter>> OpenPowerLogMeter(const PowerLogOptions& options) {
  if (options.tier != spec::EnergyTier::kAnalyser && options.tier != spec::EnergyTier::kBmc) {
    return std::unexpected(
        InvalidArgumentError("a power log comes from a power analyser or a BMC, not " +
                             std::string(spec::EnergyTierName(options.tier))));
  }
  MeterInfo info;
  info.name = "power-log";
  info.tier = options.tier;
  info.domains = {options.tier == spec::EnergyTier::kAnalyser ? "system (at the wall)"
                                                              : "system (BMC power reading)"};
  info.source = options.path.string();
  info.method =
      "samples of an external power log aligned to the run's wall clock and integrated over "
      "the timed windows by the trapezoidal rule";
  info.limits =
      "the whole system the instrument measures, including idle power and everything else "
      "running on it; alignment is as good as the clocks of the logger and this host agree";
  return std::make_unique<PowerLogMeter>(std::move(info), options);
}

}  // namespace lepton::bench
