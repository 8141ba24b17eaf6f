#pragma once
// Runs a plan's workloads: untimed Prepare, then warm-up and timed runs, each step timed with
// the monotonic clock around Workload::RunStep only. Every run is recorded, failures included;
// the runner never judges.

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bench/api/measurement.h"
#include "bench/api/workload.h"
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

struct RunnerOptions {
  std::string device = "cpu";
  std::filesystem::path data_root;
  const checks::SystemDescription* system = nullptr;
  std::map<std::string, std::filesystem::path> dataset_dirs;
  WorkloadFactory factory = CreateWorkload;
};

std::vector<WorkloadRecord> RunPlan(const spec::Plan& plan, const RunnerOptions& options,
                                    RunObserver& observer);

}  // namespace lepton::bench
