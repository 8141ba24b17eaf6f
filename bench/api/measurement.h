#pragma once
// Plain records of what was measured: every run of every workload, raw. The judge reads them,
// the report stores them; nothing here is ever smoothed or summarised.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/spec/spec_model.h"

namespace lepton::bench {

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

struct RunRecord {
  int index = 0;        // 0-based among the timed runs; warm-up runs count separately
  bool warmup = false;  // warm-up runs are recorded but never judged
  std::vector<StepTiming> steps;
  Metrics metrics;
  std::string error;  // non-empty when the run failed; its metrics are then absent
};

struct WorkloadRecord {
  std::string name;
  std::string type;
  std::string device;
  std::map<std::string, spec::ParamValue> params;  // as run, with the profile's scale applied
  int runs_planned = 0;
  int warmup_runs = 0;
  std::vector<RunRecord> runs;
  // Set when the workload could not run at all (not built for this device, prepare failed).
  std::string unavailable_reason;
  std::string error;
};

// The record of the workload named `name`, or nullptr when the plan did not run it.
inline const WorkloadRecord* FindRecord(const std::vector<WorkloadRecord>& records,
                                        std::string_view name) {
  for (const WorkloadRecord& record : records) {
    if (record.name == name) return &record;
  }
  return nullptr;
}

}  // namespace lepton::bench
