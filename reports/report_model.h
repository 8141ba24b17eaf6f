#pragma once
// The certification report as data: everything a run decided and everything it measured. The
// canonical form is JSON (json_report.h); renderers and verifiers read this model, never
// recompute it.

#include <optional>
#include <string>
#include <vector>

#include "conformance/checks/system_probe.h"
#include "conformance/judge/verdict.h"
#include "conformance/records/cpu_threads.h"
#include "conformance/records/measurement.h"
#include "conformance/spec/overlay.h"
#include "conformance/spec/resolve.h"

namespace lepton::reports {

inline constexpr std::string_view kReportSchemaVersion = "1.0.0";

struct ToolInfo {
  std::string name = "lepton-cert";
  std::string version;
  std::string git_commit;
};

struct RunInfo {
  std::string started_at;  // ISO 8601 UTC
  std::string finished_at;
  double duration_s = 0;
  std::vector<std::string> command_line;
  std::optional<int> runs_override;
  spec::Facts facts;        // what the plan read: preconditions and applies_if conditions
  std::string spec_source;  // a path, or "<embedded>"
  // The signal that stopped the run before every workload finished ("SIGINT"); empty when it
  // finished. An interrupted run certifies nothing (judge::Summarize).
  std::string interrupted_by;
  // Sessions whose measurements the report holds: 1, plus one per `run --resume`.
  int sessions = 1;
  std::vector<std::string> resumed_workloads;  // finished by an earlier session, not run again
  // The CPU threads each rank's math ran on and why (rank 0's view); an unset source is not
  // written.
  records::CpuThreads cpu_threads;
};

struct CertificationReport {
  ToolInfo tool;
  RunInfo run;
  const spec::Spec* spec = nullptr;
  const spec::Plan* plan = nullptr;
  const spec::Overlay* overlay = nullptr;  // nullptr when none was given
  const checks::SystemDescription* system = nullptr;
  const std::vector<records::WorkloadRecord>* workloads = nullptr;
  std::vector<judge::Verdict> verdicts;  // parallel to plan->requirements
  judge::Summary summary;
};

}  // namespace lepton::reports
