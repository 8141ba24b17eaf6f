#include "bench/runner/energy_accounting.h"

#include "conformance/spec/energy_metrics.h"

namespace lepton::bench {
namespace {

void NotMeasured(Metrics& metrics, std::string_view name, const std::string& reason) {
  metrics.values.erase(std::string(name));
  metrics.not_measured[std::string(name)] = reason;
}

void Value(Metrics& metrics, std::string_view name, double value) {
  metrics.values[std::string(name)] = value;
}

}  // namespace

EnergyEvidence AccountEnergy(const RunEnergy& energy, Metrics& metrics) {
  EnergyEvidence evidence;
  evidence.passes = energy.passes;
  evidence.windows = energy.windows;
  evidence.min_region_s = energy.min_region_s;
  evidence.idle_watts = energy.idle.watts;
  evidence.idle_s = energy.idle.seconds;
  evidence.idle_unavailable_reason = energy.idle.unavailable_reason;
  if (energy.meter != nullptr) {
    const MeterInfo& meter = *energy.meter;
    evidence.meter = meter.name;
    evidence.tier = meter.tier;
    evidence.domains = meter.domains;
    evidence.source = meter.source;
    evidence.method = meter.method;
    evidence.limits = meter.limits;
    evidence.sample_hz = meter.sample_hz;
    evidence.resolution_s = meter.resolution_s;
  }

  std::string failure;
  if (energy.meter == nullptr || !energy.reading) {
    failure = energy.reading ? "no energy meter" : energy.reading.error().message();
  } else if (!(energy.reading->joules > 0)) {
    failure = "the meter counted " + spec::ValueToString(energy.reading->joules) + " J over " +
              spec::ValueToString(energy.reading->covered_s) +
              " s of timed work: a meter that does not advance is no measurement";
  }
  if (!failure.empty()) {
    evidence.not_measured_reason = failure;
    for (std::string_view name : spec::kEnergyMetrics) NotMeasured(metrics, name, failure);
    // Idle power is its own measurement and may stand alone.
    if (energy.idle.watts) Value(metrics, spec::kIdleWatts, *energy.idle.watts);
    return evidence;
  }

  const EnergyReading& reading = *energy.reading;
  evidence.samples = reading.samples;
  evidence.covered_s = reading.covered_s;
  if (reading.resolution_s > 0) evidence.resolution_s = reading.resolution_s;
  if (evidence.sample_hz == 0 && reading.resolution_s > 0) {
    evidence.sample_hz = 1.0 / reading.resolution_s;  // a log's own rate
  }
  const double passes = energy.passes;
  Value(metrics, spec::kEnergyJoules, reading.joules / passes);
  Value(metrics, spec::kAverageWatts, reading.joules / reading.covered_s);
  if (reading.peak_watts) {
    Value(metrics, spec::kPeakWatts, *reading.peak_watts);
  } else {
    NotMeasured(metrics, spec::kPeakWatts, reading.peak_unavailable_reason);
  }
  if (energy.idle.watts) {
    Value(metrics, spec::kIdleWatts, *energy.idle.watts);
    Value(metrics, spec::kEnergyAboveIdleJoules,
          (reading.joules - *energy.idle.watts * reading.covered_s) / passes);
  } else {
    const std::string reason = "idle power not measured: " + energy.idle.unavailable_reason;
    NotMeasured(metrics, spec::kIdleWatts, reason);
    NotMeasured(metrics, spec::kEnergyAboveIdleJoules, reason);
  }
  if (energy.samples_per_pass && *energy.samples_per_pass > 0) {
    const double samples = *energy.samples_per_pass * passes;
    Value(metrics, spec::kJoulesPerSample, reading.joules / samples);
    Value(metrics, spec::kSamplesPerJoule, samples / reading.joules);
  } else {
    const std::string reason = "the workload does not state how many samples a run processes";
    NotMeasured(metrics, spec::kJoulesPerSample, reason);
    NotMeasured(metrics, spec::kSamplesPerJoule, reason);
  }
  return evidence;
}

}  // namespace lepton::bench
