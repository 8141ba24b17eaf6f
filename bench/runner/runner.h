#pragma once
// Runs a plan's workloads: untimed Prepare, then warm-up and timed runs, each step timed with
// the monotonic clock around Workload::RunStep only. Every run is recorded, failures included;
// the runner never judges.
//
// Energy (when a requirement reads an energy figure of the workload): the runner owns the
// meter. After Prepare it measures idle power for the profile's energy.idle_s; in each timed
// run it starts the meter before BeginRun and marks the edges of every RunStep, so energy is
// attributed per timed step and summed: Prepare, BeginRun, AfterStep (evaluation) and FinishRun
// are never counted. A run whose timed steps last less than the profile's energy.min_region_s
// (or the meter's resolution, when longer) is repeated after FinishRun on the same code path
// (BeginRun, the steps, AfterStep) until the summed timed windows reach it; the repetitions add
// only energy windows, never timings or metrics. Warm-up runs are not metered.

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bench/api/measurement.h"
#include "bench/api/workload.h"
#include "bench/energy/energy_meter.h"
#include "conformance/spec/resolve.h"

namespace lepton::bench {

class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual void OnWorkloadStart(const WorkloadRecord& /*record*/) {}
  virtual void OnRunStart(const WorkloadRecord& /*record*/, int /*ordinal*/, int /*total*/,
                          bool /*warmup*/) {}
  virtual void OnRunEnd(const WorkloadRecord& /*record*/, const RunRecord& /*run*/) {}
  virtual void OnWorkloadEnd(const WorkloadRecord& /*record*/) {}
};

using WorkloadFactory = std::function<Result<std::unique_ptr<Workload>>(std::string_view type,
                                                                        std::string_view device)>;

// Opens the run's energy meter under the profile's settings; Unavailable says why none can.
using EnergyMeterFactory =
    std::function<Result<std::unique_ptr<EnergyMeter>>(const spec::EnergySettings& settings)>;

// At most this many passes of a run's timed steps for the minimum energy region.
inline constexpr int kMaxEnergyPasses = 1000;

struct RunnerOptions {
  std::string device = "cpu";
  std::filesystem::path data_root;
  const checks::SystemDescription* system = nullptr;
  std::map<std::string, std::filesystem::path> dataset_dirs;
  WorkloadFactory factory = CreateWorkload;
  EnergyMeterFactory energy_meter;  // none: energy figures are not measured, saying so
};

std::vector<WorkloadRecord> RunPlan(const spec::Plan& plan, const RunnerOptions& options,
                                    RunObserver& observer);

}  // namespace lepton::bench
