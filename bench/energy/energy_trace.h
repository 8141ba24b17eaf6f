#pragma once
// A meter's readings over time and the one integration every meter shares: energy, peak power
// and sample count over the runner's timed windows only. Pure, so its edge cases are tested
// exactly (energy_trace_test.cc).
//
// Two kinds of reading:
// - a cumulative energy counter (RAPL, NVML's total-energy counter), in joules: a window's energy
//   is E(end) - E(begin), E interpolated linearly between readings (exact at the window edges,
//   where counter meters read);
// - power (NVML power samples, a power log), in watts: a window's energy is the integral of the
//   piecewise-linear power through the samples (the trapezoidal rule), interpolated at the edges.

#include <span>
#include <string>
#include <vector>

#include "bench/energy/energy_meter.h"

namespace lepton::bench {

enum class TraceKind { kCumulativeJoules, kWatts };

struct TracePoint {
  double t_s = 0;
  double value = 0;  // joules so far, or watts
  int line = 0;      // the source line of a power log; 0 for a polled meter
};

struct EnergyTrace {
  TraceKind kind = TraceKind::kWatts;
  std::vector<TracePoint> points;  // strictly increasing t_s
  std::string source;              // names the readings in messages: "power.csv", "NVML"
  std::string clock;               // the time base of t_s in messages: "Unix time", "steady clock"
};

struct IntegrationLimits {
  // Peak power is the highest mean power over an interval at least this long (counters), so a
  // counter's update steps do not read as spikes.
  double resolution_s = 0;
  // Power samples further apart than this around a timed window leave it not measured.
  double max_gap_s = 0;
};

// Unavailable when the trace does not cover a window or has a gap above max_gap_s across one;
// DataLoss when a counter runs backwards; InvalidArgument for unordered windows or points.
Result<EnergyReading> IntegrateOverWindows(const EnergyTrace& trace,
                                           std::span<const TimeWindow> windows,
                                           const IntegrationLimits& limits);

}  // namespace lepton::bench
