#pragma once
// What a certification run tells its caller while it goes: the runner's progress
// (bench::RunObserver), the run's first line, warnings and notes, and the end of the workloads.
// The library prints nothing itself; the CLI prints these on stderr (tools/cli/progress.h).

#include <string>
#include <string_view>

#include "bench/energy/meter_selection.h"
#include "bench/runner/cpu_threads.h"
#include "bench/runner/runner.h"
#include "conformance/spec/resolve.h"
#include "reports/run_journal.h"

namespace lepton::certify {

// What is about to run, for the run's first line. The pointers live until the run returns.
struct RunStart {
  const spec::Spec* spec = nullptr;
  std::string spec_source;  // the path as given, or "<embedded>"
  const spec::Plan* plan = nullptr;
  int ranks = 1;
  int nodes = 1;
  std::string communicators;  // CommunicatorsDescription
  bench::CpuThreads cpu_threads;
  bench::MeterChoice energy = bench::MeterChoice::kAuto;
  // The journal of the run this session resumes, or null for a new run.
  const reports::RunJournal* resumed = nullptr;
};

class CertifyObserver : public bench::RunObserver {
 public:
  // Rank 0 only, once, before the first workload.
  virtual void OnCertifyStart(const RunStart& /*start*/) {}
  // A warning or a note for whoever runs it, e.g. "warning: cannot write the run's journal
  // (...)"; the CLI prefixes "lepton-cert: ".
  virtual void OnNotice(std::string_view /*message*/) {}
  // Rank 0 only: the last workload finished (or the run was interrupted); the report follows.
  virtual void OnWorkloadsDone() {}
};

}  // namespace lepton::certify
