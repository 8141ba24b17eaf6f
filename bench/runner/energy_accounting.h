#pragma once
// Turns what a meter read over a run's timed steps into the energy figures and the evidence the
// report shows beside them. Pure: the runner measures, this only divides and states the method.
//
// Figures (conformance/spec/energy_metrics.h), over all passes of the timed steps (a run shorter
// than the profile's min_region_s is repeated, see runner.h):
//   energy_j            = joules / passes                       (idle included)
//   energy_above_idle_j = (joules - idle_watts x covered_s) / passes
//   joules_per_sample   = joules / (samples per run x passes)    (idle included)
//   samples_per_joule   = its inverse
//   average_watts       = joules / covered_s;  peak_watts as the meter resolves it
//   idle_watts          = the idle window's mean power
// A figure that cannot be formed is "not measured" with the reason; a meter that counted 0 J is
// no measurement.

#include <optional>
#include <string>

#include "bench/api/measurement.h"
#include "bench/energy/energy_meter.h"

namespace lepton::bench {

struct IdlePower {
  std::optional<double> watts;
  double seconds = 0;  // the window asked for
  std::string unavailable_reason;
};

struct RunEnergy {
  const MeterInfo* meter = nullptr;  // null when no meter could measure
  Result<EnergyReading> reading = std::unexpected(UnavailableError("not measured"));
  int passes = 1;
  int windows = 0;
  double min_region_s = 0;                 // the minimum that applied
  std::optional<double> samples_per_pass;  // Workload::SamplesPerRun()
  IdlePower idle;
};

// Writes every energy figure into `metrics` (a value, or not_measured with the reason) and
// returns the run's evidence.
EnergyEvidence AccountEnergy(const RunEnergy& energy, Metrics& metrics);

}  // namespace lepton::bench
