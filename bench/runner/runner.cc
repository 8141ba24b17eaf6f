#include "bench/runner/runner.h"

#include <chrono>

#include "bench/comm/self_communicator.h"

namespace lepton::bench {
namespace {

RunRecord ExecuteRun(Workload& workload, const std::vector<std::string>& steps, int index,
                     bool warmup) {
  RunRecord run;
  run.index = index;
  run.warmup = warmup;
  if (Status status = workload.BeginRun(index); !status.ok()) {
    run.error = "run setup: " + status.ToString();
    return run;
  }
  std::vector<double> seconds;
  for (std::size_t step = 0; step < steps.size(); ++step) {
    const auto start = std::chrono::steady_clock::now();
    const Status status = workload.RunStep(step);
    const auto stop = std::chrono::steady_clock::now();
    if (!status.ok()) {
      run.error = "step " + steps[step] + ": " + status.ToString();
      return run;
    }
    seconds.push_back(std::chrono::duration<double>(stop - start).count());
    run.steps.push_back(StepTiming{steps[step], seconds.back()});
    if (Status observed = workload.AfterStep(step); !observed.ok()) {
      run.error = "after step " + steps[step] + ": " + observed.ToString();
      return run;
    }
  }
  auto metrics = workload.FinishRun(seconds);
  if (!metrics) {
    run.error = "evaluation: " + metrics.error().ToString();
    return run;
  }
  run.metrics = std::move(*metrics);
  return run;
}

}  // namespace

std::vector<WorkloadRecord> RunPlan(const spec::Plan& plan, const RunnerOptions& options,
                                    RunObserver& observer) {
  std::unique_ptr<Communicator> self;
  Communicator* communicator = options.communicator;
  if (communicator == nullptr) {
    self = MakeSelfCommunicator();
    communicator = self.get();
  }
  const bool several_ranks = communicator->size() > 1;
  // A barrier that fails means a rank is gone; later all-ranks workloads would fail the same way.
  Status ranks_status;
  std::vector<WorkloadRecord> records;
  for (const spec::PlannedWorkload& planned : plan.workloads) {
    WorkloadRecord record;
    record.name = planned.workload->name;
    record.type = planned.workload->type;
    record.device = options.device;
    record.params = planned.params;
    record.runs_planned = planned.runs;
    record.warmup_runs = planned.workload->warmup_runs;
    observer.OnWorkloadStart(record);

    auto workload = options.factory(record.type, options.device);
    const bool all_ranks = workload && (*workload)->UsesAllRanks();
    if (several_ranks && all_ranks && ranks_status.ok()) ranks_status = communicator->Barrier();
    if (!workload) {
      record.unavailable_reason = workload.error().message();
    } else if (several_ranks && !all_ranks && communicator->rank() != 0) {
      record.unavailable_reason = "runs on rank 0 only";
    } else if (several_ranks && all_ranks && !ranks_status.ok()) {
      record.error = "ranks: " + ranks_status.ToString();
    } else {
      WorkloadContext context{planned.params, options.device,  options.data_root,
                              options.system, planned.metrics, options.dataset_dirs,
                              communicator};
      if (Status prepared = (*workload)->Prepare(context); !prepared.ok()) {
        // Unavailable (no data supplied, no device) is not measured; anything else is an error.
        if (prepared.code() == StatusCode::kUnavailable) {
          record.unavailable_reason = prepared.message();
        } else {
          record.error = "prepare: " + prepared.ToString();
        }
      } else {
        const std::vector<std::string> steps = (*workload)->StepNames();
        const int total = record.warmup_runs + record.runs_planned;
        for (int ordinal = 0; ordinal < total; ++ordinal) {
          const bool warmup = ordinal < record.warmup_runs;
          const int index = warmup ? ordinal : ordinal - record.warmup_runs;
          observer.OnRunStart(record, ordinal + 1, total, warmup);
          record.runs.push_back(ExecuteRun(**workload, steps, index, warmup));
          observer.OnRunEnd(record, record.runs.back());
          if (!record.runs.back().error.empty()) break;  // later runs would repeat the failure
        }
      }
    }
    observer.OnWorkloadEnd(record);
    records.push_back(std::move(record));
  }
  // Other ranks wait here while rank 0 finishes its single-rank workloads; a failure here only
  // means a rank left early, which the records of the workloads it ran already show.
  if (several_ranks && ranks_status.ok()) (void)communicator->Barrier();
  return records;
}

}  // namespace lepton::bench
