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
//
// Energy (when a requirement reads an energy figure of the workload): the runner owns the
// meter. After Prepare it measures idle power for the profile's energy.idle_s; in each timed
// run it starts the meter before BeginRun and marks the edges of every RunStep, so energy is
// attributed per timed step and summed: Prepare, BeginRun, AfterStep (evaluation) and FinishRun
// are never counted. A run whose timed steps last less than the profile's energy.min_region_s
// (or the meter's resolution, when longer) is repeated after FinishRun on the same code path
// (BeginRun, the steps, AfterStep) until the summed timed windows reach it; the repetitions add
// only energy windows, never timings or metrics. Warm-up runs are not metered.
//
// Telemetry (devices: cuda, when RunnerOptions::telemetry_sampler is set): the runner opens one
// sampler per workload and, in each timed run, starts it before the first timed step and stops
// it after the last (after BeginRun, before FinishRun: the AfterStep evaluations between steps
// are inside, the energy region's repetitions are not). Each timed run keeps its summary
// (RunRecord::telemetry), the workload one over all its timed runs' readings, and, when a
// requirement reads it, the metric gpu_throttled: true when some reading had a thermal or power
// clocks event reason; not measured, with the reason, when no telemetry could be read.
//
// Interruption (SIGINT, SIGTERM): the runner polls RunnerOptions::interruption before every
// workload, run and timed step. Once it names a cause, the workload in progress and every later
// one are recorded as not measured with that cause and `interrupted` set; their partial runs are
// dropped, since a workload measured over fewer runs than planned is not what the spec asks.
// Resumption: records in RunnerOptions::finished (an earlier session's journal) stand for their
// workloads, which are not run again.

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bench/api/measurement.h"
#include "bench/api/workload.h"
#include "bench/energy/energy_meter.h"
#include "bench/runner/cpu_threads.h"
#include "bench/telemetry/telemetry_sampler.h"
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
  // A workload an earlier session finished, taken from RunnerOptions::finished.
  virtual void OnWorkloadReused(const WorkloadRecord& /*record*/) {}
};

// Polled between steps: empty while the run may go on, else the cause ("SIGINT").
using InterruptionCheck = std::function<std::string()>;

using WorkloadFactory = std::function<Result<std::unique_ptr<Workload>>(std::string_view type,
                                                                        std::string_view device)>;

// Opens the run's energy meter under the profile's settings; Unavailable says why none can.
using EnergyMeterFactory =
    std::function<Result<std::unique_ptr<EnergyMeter>>(const spec::EnergySettings& settings)>;

// Opens a GPU telemetry sampler; Unavailable says why none can.
using TelemetrySamplerFactory = std::function<Result<std::unique_ptr<TelemetrySampler>>()>;

// At most this many passes of a run's timed steps for the minimum energy region.
inline constexpr int kMaxEnergyPasses = 1000;

struct RunnerOptions {
  std::string device = "cpu";
  std::filesystem::path data_root;
  const checks::SystemDescription* system = nullptr;
  std::map<std::string, std::filesystem::path> dataset_dirs;
  WorkloadFactory factory = CreateWorkload;
  // This process's ranks; null runs alone (the self communicator). Barriers and workloads on
  // host buffers use it.
  Communicator* communicator = nullptr;
  // Passed on to the workloads (WorkloadContext): NCCL over the same ranks and this rank's
  // device memory, for the profile's comm: nccl; or why they could not be made.
  Communicator* device_communicator = nullptr;
  DeviceMemory* device_memory = nullptr;
  Status device_status;
  // Or, for the profile's comm: nccl-local, the single-process group over the local GPUs.
  CommunicatorGroup* device_group = nullptr;
  EnergyMeterFactory energy_meter;  // none: energy figures are not measured, saying so
  // Used when `device` is cuda; none: no telemetry, and gpu_throttled is not measured.
  TelemetrySamplerFactory telemetry_sampler;
  // Each rank's CPU threads (cpu_threads.h): before a workload runs here, set_cpu_threads gets
  // cpu_threads.per_rank for a workload that uses every rank, rank_zero_alone for one that runs
  // on rank 0 alone. Not called unless cpu_threads.apply (the libraries then keep their own).
  CpuThreads cpu_threads;
  std::function<void(int threads)> set_cpu_threads;
  InterruptionCheck interruption;  // none: the run is never interrupted
  // Workloads finished by an earlier session of this run, by name; null or absent: run them.
  const std::vector<WorkloadRecord>* finished = nullptr;
};

std::vector<WorkloadRecord> RunPlan(const spec::Plan& plan, const RunnerOptions& options,
                                    RunObserver& observer);

}  // namespace lepton::bench
