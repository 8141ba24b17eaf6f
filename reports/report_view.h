#pragma once
// What renderers read: a certification report parsed back from its canonical JSON (the source of
// truth), as plain values. Renderers format these; they never recompute a verdict.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/core/status.h"
#include "reports/report_document.h"

namespace lepton::reports {

struct RequirementView {
  std::string id;
  std::string kind;
  std::string level;  // MUST | SHOULD
  std::string title;
  std::string workload;
  std::string metric;
  std::string unit;
  std::string statistic;  // empty for non-numeric metrics
  std::string op;
  std::string threshold;
  std::string verdict;  // pass | fail | not-applicable | not-measured | error
  std::string reason;
  std::string measured;  // the statistic's value as written in the report; empty if none
  std::vector<std::string> values;
  int runs_required = 0;
  std::string applies_if;
  bool headline = false;  // the leaderboard ranks by it
  // Energy requirements: the method tiers accepted ("analyser, bmc") and how the runs' figures
  // were measured, or why they were not, from the runs' evidence; shown beside the figure.
  std::string methods_accepted;
  std::string method;
  std::string tier;  // the judged runs' tier, or "not measured"
};

// One curve of one timed run (e.g. test accuracy per epoch).
struct SeriesView {
  std::string workload;
  int run = 0;  // 1-based
  std::string name;
  std::vector<double> points;  // null points (non-finite) are left out
};

// One field of one GPU's telemetry in words: "1410 / 1755 / 1980" (min / median / max), or
// "not measured (reason)".
struct TelemetryRowView {
  std::string gpu;
  std::string field;  // "sm_clock_mhz (MHz)"
  std::string samples;
  std::string figures;
};

// A workload's GPU telemetry over its timed runs (workloads[].telemetry): the flag, the reasons
// seen, the runs that throttled, and a row per GPU and field. Only workloads that have one.
struct TelemetryView {
  std::string workload;
  bool throttled = false;      // some reading had a thermal or power clocks event reason
  std::string throttled_runs;  // "2, 3" (1-based), empty when none
  std::string reasons;         // "gpu0: sw_power_cap 50%, hw_thermal_slowdown 25%", or "none"
  std::string source;          // "libnvidia-ml.so.1 (driver ...), 10 Hz, 3 timed runs"
  std::string not_measured;    // why there are no readings; empty when there are
  std::vector<TelemetryRowView> rows;
};

// One GPU as the report describes it (system.gpus: the CUDA driver's facts and NVML's for the
// device at the same PCI address), in words for display; a fact the probe could not read says
// "unknown (reason)".
struct GpuView {
  std::string label;    // "GPU 0: NVIDIA H100 80GB HBM3", or an NVML device CUDA does not see
  std::string summary;  // "compute capability 9.0; 79.6 GiB; ...; persistence mode on; ..."
};

struct ReportView {
  std::string schema_version;
  bool certified = false;
  int must_passed = 0;
  int must_total = 0;
  int should_passed = 0;
  int should_total = 0;
  int not_applicable = 0;
  std::vector<std::string> blocking;
  std::string tool_version;
  std::string git_commit;
  std::string spec_id;
  std::string spec_version;
  std::string spec_status;
  std::string spec_sha256;
  std::string profile;
  std::string started_at;
  std::string finished_at;
  std::string interrupted;  // the signal that stopped the run; empty when it finished
  int sessions = 1;
  // run.cpu_threads in words: rank 0's CPU threads while every rank computes, then the rest:
  // "1 (rank 0 alone: 2; source: node share, 2 node CPUs over 2 local ranks)". Reports written
  // before it was recorded say "not recorded".
  std::string cpu_threads = "not recorded";
  std::string hostname;
  std::string os;
  std::string cpu_model;
  int cpu_cores = 0;
  std::string memory_gib;
  std::string blas;
  int gpus = 0;
  std::vector<GpuView> gpu_devices;
  std::string nvml;  // "NVML 12.580.65 (driver 580.65.06)", or why NVML was not available
  // Empty when unsigned; whether the signature holds is reports/report_verify.h's business.
  std::string signer_public_key;
  std::string signed_sha256;
  std::map<std::string, std::string> descriptive;  // vendor-editable fields (system name, notes)
  std::vector<RequirementView> requirements;
  std::vector<SeriesView> series;
  std::vector<TelemetryView> telemetry;
};

// InvalidArgument naming `name`, the line and column of a JSON syntax error, or the missing or
// mistyped field.
Result<ReportView> ParseReportView(std::string_view json, std::string_view name);
Result<ReportView> ParseReportView(const ReportDocument& document);

// " (interrupted by SIGINT; 2 sessions)" after the run's times, or "" for a plain run.
std::string RunSessionsNote(const ReportView& report);

}  // namespace lepton::reports
