#pragma once
// Plain records of what was measured: every run of every workload, raw. The measuring side
// (bench/) writes them, the judge reads them, the report stores them; they sit below all three,
// so none of them includes another's folder for them. Nothing here is ever smoothed or
// summarised.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/spec/spec_model.h"

namespace lepton::records {

// Metric values use the spec's value type: numbers, version or text strings, booleans.
using MetricValue = spec::Value;

struct Metrics {
  std::map<std::string, MetricValue> values;
  // A metric the workload could not measure, with the reason; never a guessed value.
  std::map<std::string, std::string> not_measured;
  // Curves for the report, not judged: e.g. test accuracy after each epoch.
  std::map<std::string, std::vector<double>> series;
  // Files stored next to the report, by name (e.g. "model.onnx"): evidence, not judged.
  std::map<std::string, std::string> artifacts;
};

struct StepTiming {
  std::string name;
  double seconds = 0;  // wall time measured by the runner around the step
};

// How a run's energy figures were measured, or why they were not: the method the report shows
// next to every energy figure (spec/README.md, "Energy").
struct EnergyEvidence {
  std::string meter;  // "rapl", "nvml", "power-log"; empty when no meter could measure
  std::optional<spec::EnergyTier> tier;
  std::vector<std::string> domains;  // what the figures cover
  std::string source;
  std::string method;
  std::string limits;
  double sample_hz = 0;      // the meter's sampling rate (a power log's: 1 / its median interval)
  double resolution_s = 0;   // the shortest interval the meter resolves
  std::int64_t samples = 0;  // readings inside the timed windows
  int windows = 0;           // timed steps measured, over all passes
  int passes = 0;            // passes over the timed steps: 1, or more to reach min_region_s
  double covered_s = 0;      // the timed windows' seconds, summed over the passes
  double min_region_s = 0;   // the profile's minimum (the meter's resolution when longer)
  std::optional<double> idle_watts;
  double idle_s = 0;  // the idle window measured before the workload's runs
  std::string idle_unavailable_reason;
  // energy_j, joules_per_sample, samples_per_joule, average_watts and peak_watts include idle
  // power; energy_above_idle_j subtracts idle_watts over the timed seconds.
  bool idle_included = true;
  std::string not_measured_reason;  // set when the run has no energy figures
};

// GPU telemetry over a timed region (bench/telemetry/): what the GPUs did while the figures were
// taken, so a throttled run can be told from a slow machine. Summaries only; the samples stay
// with the runner.
struct TelemetryFieldSummary {
  std::string name;  // "sm_clock_mhz", "power_w", ... (conformance/checks/telemetry_fields.h)
  std::string unit;
  std::int64_t samples = 0;  // readings that gave a value
  // Over the readings; ECC counts are the increase since the region's first reading, so max is
  // the region's delta. Meaningful only when samples > 0.
  double min = 0;
  double median = 0;
  double max = 0;
  std::string not_measured_reason;  // set when samples == 0: the driver's words, never a 0
};

struct ThrottleReasonSeen {
  std::string name;  // "sw_power_cap", "hw_thermal_slowdown", ...
  std::int64_t samples = 0;
  double share = 0;  // of the readings of the clocks event reasons
};

struct GpuTelemetry {
  std::string device;  // "gpu0": NVML's index
  std::vector<TelemetryFieldSummary> fields;
  std::int64_t reason_samples = 0;  // readings of the clocks event reasons
  std::vector<ThrottleReasonSeen> throttle_reasons;
  std::string throttle_not_measured_reason;  // set when reason_samples == 0
  bool thermal_or_power_throttled = false;
};

struct TelemetrySummary {
  std::string source;        // the library and driver
  double sample_hz = 0;      // the sampling thread's rate
  std::int64_t regions = 0;  // timed regions summarised: 1 for a run, the timed runs for a workload
  std::vector<GpuTelemetry> gpus;
  // Some reading of some GPU had a thermal or power clocks event reason.
  bool thermal_or_power_throttled = false;
  std::string not_measured_reason;  // set when no telemetry could be read (gpus empty)
};

struct RunRecord {
  int index = 0;        // 0-based among the timed runs; warm-up runs count separately
  bool warmup = false;  // warm-up runs are recorded but never judged
  std::vector<StepTiming> steps;
  Metrics metrics;
  std::string error;  // non-empty when the run failed; its metrics are then absent
  // Present on timed runs when a requirement reads an energy figure of the workload.
  std::optional<EnergyEvidence> energy;
  // Present on timed runs on devices: cuda when the runner has a telemetry sampler.
  std::optional<TelemetrySummary> telemetry;
};

struct WorkloadRecord {
  std::string name;
  std::string type;
  std::string device;
  std::map<std::string, spec::ParamValue> params;  // as run, with the profile's scale applied
  int runs_planned = 0;
  int warmup_runs = 0;
  std::vector<RunRecord> runs;
  // Every timed run's readings together, when the runs have telemetry.
  std::optional<TelemetrySummary> telemetry;
  // Set when the workload could not run at all (not built for this device, prepare failed).
  std::string unavailable_reason;
  std::string error;
  // The run was interrupted before this workload finished: unavailable_reason says so, and the
  // record is not final (a resumed run measures the workload again).
  bool interrupted = false;
};

// The record of the workload named `name`, or nullptr when the plan did not run it.
inline const WorkloadRecord* FindRecord(const std::vector<WorkloadRecord>& records,
                                        std::string_view name) {
  for (const WorkloadRecord& record : records) {
    if (record.name == name) return &record;
  }
  return nullptr;
}

}  // namespace lepton::records
