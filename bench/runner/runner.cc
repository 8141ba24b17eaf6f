#include "bench/runner/runner.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "bench/comm/self_communicator.h"
#include "bench/runner/energy_accounting.h"
#include "conformance/spec/energy_metrics.h"
#include "conformance/spec/telemetry_metrics.h"

namespace lepton::bench {
namespace {

// The meter a workload's timed runs use, or why there is none, and its idle power.
struct WorkloadMeter {
  std::unique_ptr<EnergyMeter> meter;
  std::string unavailable_reason;
  IdlePower idle;
  spec::EnergySettings settings;
};

IdlePower MeasureIdle(EnergyMeter& meter, double seconds) {
  IdlePower idle;
  idle.seconds = seconds;
  if (Status started = meter.Start(); !started.ok()) {
    idle.unavailable_reason = started.message();
    return idle;
  }
  TimeWindow window;
  window.begin_s = meter.Mark();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  window.end_s = meter.Mark();
  auto reading = meter.Stop(std::span<const TimeWindow>(&window, 1));
  if (!reading) {
    idle.unavailable_reason = reading.error().message();
    return idle;
  }
  if (!(reading->joules > 0 && reading->covered_s > 0)) {
    idle.unavailable_reason = "the meter counted " + spec::ValueToString(reading->joules) +
                              " J over " + spec::ValueToString(reading->covered_s) +
                              " s of idle: a meter that does not advance is no measurement";
    return idle;
  }
  idle.watts = reading->joules / reading->covered_s;
  return idle;
}

std::optional<WorkloadMeter> OpenWorkloadMeter(const spec::PlannedWorkload& planned,
                                               const spec::EnergySettings& settings,
                                               const RunnerOptions& options) {
  const bool wanted = std::any_of(planned.metrics.begin(), planned.metrics.end(),
                                  [](const std::string& m) { return spec::IsEnergyMetric(m); });
  if (!wanted) return std::nullopt;
  WorkloadMeter metered;
  metered.settings = settings;
  if (!options.energy_meter) {
    metered.unavailable_reason = "no energy meter configured";
    metered.idle.unavailable_reason = metered.unavailable_reason;
    return metered;
  }
  auto meter = options.energy_meter(settings);
  if (!meter) {
    metered.unavailable_reason = meter.error().message();
    metered.idle.unavailable_reason = metered.unavailable_reason;
    return metered;
  }
  metered.meter = std::move(*meter);
  metered.idle = MeasureIdle(*metered.meter, settings.idle_s);
  return metered;
}

// A requirement judges this workload's gpu_throttled.
bool ReadsGpuThrottled(const spec::PlannedWorkload& planned) {
  return std::find(planned.metrics.begin(), planned.metrics.end(), spec::kGpuThrottled) !=
         planned.metrics.end();
}

// The telemetry sampler a workload's timed runs use, or why there is none, and the regions its
// timed runs read so far.
struct WorkloadTelemetry {
  std::unique_ptr<TelemetrySampler> sampler;
  std::string unavailable_reason;
  bool metric_wanted = false;  // a requirement reads gpu_throttled
  std::vector<TelemetryRegion> regions;
};

std::optional<WorkloadTelemetry> OpenWorkloadTelemetry(const spec::PlannedWorkload& planned,
                                                       const RunnerOptions& options) {
  if (options.device != "cuda") return std::nullopt;
  WorkloadTelemetry telemetry;
  telemetry.metric_wanted = ReadsGpuThrottled(planned);
  if (!options.telemetry_sampler) {
    if (!telemetry.metric_wanted) return std::nullopt;
    telemetry.unavailable_reason = "no telemetry sampler configured";
    return telemetry;
  }
  auto sampler = options.telemetry_sampler();
  if (!sampler) {
    telemetry.unavailable_reason = sampler.error().message();
    return telemetry;
  }
  telemetry.sampler = std::move(*sampler);
  return telemetry;
}

// Off devices: cuda nothing is sampled; a requirement that still reads gpu_throttled is told why
// instead of finding the metric missing.
void MarkGpuThrottledNotSampled(const spec::PlannedWorkload& planned, const RunnerOptions& options,
                                RunRecord& run) {
  if (options.device == "cuda" || !run.error.empty() || !ReadsGpuThrottled(planned)) return;
  run.metrics.not_measured[std::string(spec::kGpuThrottled)] =
      "GPU telemetry is sampled on devices: cuda; this run's device is " + options.device;
}

// gpu_throttled from a run's summary: a value only when every GPU's clocks event reasons were
// read, or some GPU's showed a thermal or power reason (then unread ones cannot undo it).
void PutGpuThrottled(const TelemetrySummary& summary, Metrics& metrics) {
  const std::string name(spec::kGpuThrottled);
  if (summary.gpus.empty()) {
    metrics.not_measured[name] = "no GPU telemetry: " + summary.not_measured_reason;
    return;
  }
  if (!summary.thermal_or_power_throttled) {
    for (const GpuTelemetry& gpu : summary.gpus) {
      if (gpu.reason_samples == 0) {
        metrics.not_measured[name] = "the clocks event reasons of " + gpu.device +
                                     " could not be read: " + gpu.throttle_not_measured_reason;
        return;
      }
    }
  }
  metrics.values[name] = summary.thermal_or_power_throttled;
}

// The interruption state of one RunPlan: the check, and its cause once it named one.
struct Interruption {
  const InterruptionCheck* check = nullptr;
  std::string cause;
  bool cut_short = false;  // a pass over the steps stopped for it

  bool Requested() {
    if (cause.empty() && check != nullptr && *check) cause = (*check)();
    return !cause.empty();
  }
};

// One pass over the timed steps: each RunStep timed, and its edges marked for the meter when
// there is one. Returns the failure, if any, as the run records it; an interruption before a
// step is one (its cause is in `interruption`).
std::optional<std::string> RunSteps(Workload& workload, const std::vector<std::string>& steps,
                                    EnergyMeter* meter, std::vector<double>& seconds,
                                    std::vector<TimeWindow>& windows, Interruption& interruption) {
  for (std::size_t step = 0; step < steps.size(); ++step) {
    if (interruption.Requested()) {
      interruption.cut_short = true;
      return "interrupted (" + interruption.cause + ")";
    }
    TimeWindow window;
    if (meter != nullptr) window.begin_s = meter->Mark();
    const auto start = std::chrono::steady_clock::now();
    const Status status = workload.RunStep(step);
    const auto stop = std::chrono::steady_clock::now();
    if (meter != nullptr) window.end_s = meter->Mark();
    if (!status.ok()) return "step " + steps[step] + ": " + status.ToString();
    seconds.push_back(std::chrono::duration<double>(stop - start).count());
    if (meter != nullptr) windows.push_back(window);
    if (Status observed = workload.AfterStep(step); !observed.ok()) {
      return "after step " + steps[step] + ": " + observed.ToString();
    }
  }
  return std::nullopt;
}

double Covered(const std::vector<TimeWindow>& windows) {
  double total = 0;
  for (const TimeWindow& window : windows) total += window.end_s - window.begin_s;
  return total;
}

// After FinishRun: further passes of the timed steps until the windows reach the minimum.
// Returns the number of passes, or why the minimum could not be reached.
Result<int> RepeatForMinimumRegion(Workload& workload, const std::vector<std::string>& steps,
                                   int index, EnergyMeter& meter, double minimum,
                                   std::vector<TimeWindow>& windows, Interruption& interruption) {
  int passes = 1;
  while (Covered(windows) < minimum) {
    if (passes == kMaxEnergyPasses) {
      return std::unexpected(UnavailableError(
          "after " + std::to_string(passes) + " passes the timed steps lasted only " +
          spec::ValueToString(Covered(windows)) + " s, short of the " +
          spec::ValueToString(minimum) + " s energy region"));
    }
    if (Status begun = workload.BeginRun(index); !begun.ok()) {
      return std::unexpected(
          UnavailableError("repetition " + std::to_string(passes + 1) +
                           " for the energy region: run setup: " + begun.ToString()));
    }
    std::vector<double> ignored;
    if (auto failure = RunSteps(workload, steps, &meter, ignored, windows, interruption)) {
      return std::unexpected(UnavailableError("repetition " + std::to_string(passes + 1) +
                                              " for the energy region: " + *failure));
    }
    ++passes;
  }
  return passes;
}

RunRecord ExecuteRun(Workload& workload, const std::vector<std::string>& steps, int index,
                     bool warmup, WorkloadMeter* metered, WorkloadTelemetry* telemetry,
                     Interruption& interruption) {
  RunRecord run;
  run.index = index;
  run.warmup = warmup;
  if (Status status = workload.BeginRun(index); !status.ok()) {
    run.error = "run setup: " + status.ToString();
    return run;
  }
  // Started after BeginRun: only the marked windows count, and the meter's thread should not
  // read while the run sets up.
  EnergyMeter* meter = metered != nullptr ? metered->meter.get() : nullptr;
  Status started;
  if (meter != nullptr) {
    started = meter->Start();
    if (!started.ok()) meter = nullptr;
  }
  // Started last and stopped first: its thread reads the GPUs during the timed steps only.
  std::optional<TelemetryRegion> region;  // the timed steps' telemetry, or why there is none
  bool sampling = false;
  if (telemetry != nullptr) {
    Status started_sampling = telemetry->sampler == nullptr
                                  ? UnavailableError(telemetry->unavailable_reason)
                                  : telemetry->sampler->Start();
    sampling = started_sampling.ok();
    if (!sampling) {
      region.emplace();
      region->not_measured_reason = started_sampling.message();
    }
  }
  std::vector<double> seconds;
  std::vector<TimeWindow> windows;
  const auto failure = RunSteps(workload, steps, meter, seconds, windows, interruption);
  if (sampling) region = telemetry->sampler->Stop();
  for (std::size_t step = 0; step < seconds.size(); ++step) {
    run.steps.push_back(StepTiming{steps[step], seconds[step]});
  }
  if (failure) {
    if (meter != nullptr) (void)meter->Stop(windows);
    run.error = *failure;
    return run;
  }
  auto metrics = workload.FinishRun(seconds);
  if (!metrics) {
    if (meter != nullptr) (void)meter->Stop(windows);
    run.error = "evaluation: " + metrics.error().ToString();
    return run;
  }
  run.metrics = std::move(*metrics);
  if (region) {
    run.telemetry = SummarizeTelemetry(std::span(&*region, 1));
    if (telemetry->metric_wanted) PutGpuThrottled(*run.telemetry, run.metrics);
    telemetry->regions.push_back(std::move(*region));
  }
  if (metered == nullptr) return run;

  RunEnergy energy;
  energy.idle = metered->idle;
  energy.samples_per_pass = workload.SamplesPerRun();
  energy.min_region_s = metered->settings.min_region_s;
  energy.passes = 0;  // none metered unless the meter runs
  if (metered->meter == nullptr) {
    energy.reading = std::unexpected(UnavailableError(metered->unavailable_reason));
  } else if (!started.ok()) {
    energy.meter = &metered->meter->info();
    energy.reading = std::unexpected(started);
  } else {
    energy.meter = &meter->info();
    energy.min_region_s = std::max(metered->settings.min_region_s, meter->info().resolution_s);
    auto passes = RepeatForMinimumRegion(workload, steps, index, *meter, energy.min_region_s,
                                         windows, interruption);
    auto reading = meter->Stop(windows);
    energy.passes = passes.value_or(1);
    energy.windows = static_cast<int>(windows.size());
    energy.reading = passes ? std::move(reading) : std::unexpected(passes.error());
  }
  run.energy = AccountEnergy(energy, run.metrics);
  return run;
}

// The earlier session's record standing for this workload, when it finished one.
const WorkloadRecord* FinishedRecord(const RunnerOptions& options, const WorkloadRecord& record) {
  if (options.finished == nullptr) return nullptr;
  const WorkloadRecord* done = FindRecord(*options.finished, record.name);
  if (done == nullptr || done->interrupted || done->type != record.type ||
      done->device != record.device) {
    return nullptr;
  }
  return done;
}

}  // namespace

std::vector<WorkloadRecord> RunPlan(const spec::Plan& plan, const RunnerOptions& options,
                                    RunObserver& observer) {
  const spec::EnergySettings settings =
      plan.profile != nullptr ? plan.profile->energy : spec::EnergySettings{};
  std::unique_ptr<Communicator> self;
  Communicator* communicator = options.communicator;
  if (communicator == nullptr) {
    self = MakeSelfCommunicator();
    communicator = self.get();
  }
  const bool several_ranks = communicator->size() > 1;
  // A barrier that fails means a rank is gone; later all-ranks workloads would fail the same way.
  Status ranks_status;
  Interruption interruption{&options.interruption, {}};
  std::vector<WorkloadRecord> records;
  for (const spec::PlannedWorkload& planned : plan.workloads) {
    WorkloadRecord record;
    record.name = planned.workload->name;
    record.type = planned.workload->type;
    record.device = options.device;
    record.params = planned.params;
    record.runs_planned = planned.runs;
    record.warmup_runs = planned.workload->warmup_runs;
    if (const WorkloadRecord* done = FinishedRecord(options, record)) {
      records.push_back(*done);
      records.back().params = planned.params;
      observer.OnWorkloadReused(records.back());
      continue;
    }
    if (interruption.Requested()) {
      record.interrupted = true;
      record.unavailable_reason =
          "the run was interrupted (" + interruption.cause + ") before this workload";
      observer.OnWorkloadEnd(record);
      records.push_back(std::move(record));
      continue;
    }
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
      WorkloadContext context{planned.params,        options.device,
                              options.data_root,     options.system,
                              planned.metrics,       options.dataset_dirs,
                              communicator,          options.device_communicator,
                              options.device_memory, options.device_status,
                              options.device_group};
      if (options.set_cpu_threads && options.cpu_threads.apply) {
        options.set_cpu_threads(all_ranks ? options.cpu_threads.per_rank
                                          : options.cpu_threads.rank_zero_alone);
      }
      if (Status prepared = (*workload)->Prepare(context); !prepared.ok()) {
        // Unavailable (no data supplied, no device) is not measured; anything else is an error.
        if (prepared.code() == StatusCode::kUnavailable) {
          record.unavailable_reason = prepared.message();
        } else {
          record.error = "prepare: " + prepared.ToString();
        }
      } else {
        std::optional<WorkloadMeter> metered = OpenWorkloadMeter(planned, settings, options);
        std::optional<WorkloadTelemetry> telemetry = OpenWorkloadTelemetry(planned, options);
        const std::vector<std::string> steps = (*workload)->StepNames();
        const int total = record.warmup_runs + record.runs_planned;
        // A workload is judged on all its planned runs or none: an interrupted one keeps none.
        const auto interrupted = [&](int ordinal, std::string_view when) {
          record.interrupted = true;
          record.unavailable_reason = "interrupted (" + interruption.cause + ") " +
                                      std::string(when) + " run " + std::to_string(ordinal + 1) +
                                      " of " + std::to_string(total);
          record.runs.clear();
        };
        for (int ordinal = 0; ordinal < total; ++ordinal) {
          const bool warmup = ordinal < record.warmup_runs;
          const int index = warmup ? ordinal : ordinal - record.warmup_runs;
          if (interruption.Requested()) {
            interrupted(ordinal, "before");
            break;
          }
          observer.OnRunStart(record, ordinal + 1, total, warmup);
          record.runs.push_back(
              ExecuteRun(**workload, steps, index, warmup, warmup || !metered ? nullptr : &*metered,
                         warmup || !telemetry ? nullptr : &*telemetry, interruption));
          MarkGpuThrottledNotSampled(planned, options, record.runs.back());
          // A run whose steps all ran stands even when the signal came during its last step.
          if (interruption.cut_short) {
            interrupted(ordinal, "during");
            break;
          }
          observer.OnRunEnd(record, record.runs.back());
          if (!record.runs.back().error.empty()) break;  // later runs would repeat the failure
        }
        if (telemetry && !telemetry->regions.empty() && !record.interrupted) {
          record.telemetry = SummarizeTelemetry(telemetry->regions);
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
