#pragma once
// Runs a plan's workloads: untimed Prepare, then warm-up and timed runs, each step timed with
// the monotonic clock around Workload::RunStep only. Every run is recorded, failures included;
// the runner never judges.
//
// Under several ranks (mpirun, srun) every rank calls RunPlan with the same plan. Workloads that
// use every rank (Workload::UsesAllRanks: collectives, data-parallel regression) run on all of
// them and combine their measurements themselves. The others run on rank 0 alone: a single-rank
// workload measured while other ranks compete for the same cores would measure less than the
// machine can do. Ranks other than 0 skip them and wait in Communicator::Barrier, which polls
// gently, before the next all-ranks workload and at the end. Only rank 0's records are complete.

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
  // This process's ranks; null runs alone (the self communicator).
  Communicator* communicator = nullptr;
};

std::vector<WorkloadRecord> RunPlan(const spec::Plan& plan, const RunnerOptions& options,
                                    RunObserver& observer);

}  // namespace lepton::bench
