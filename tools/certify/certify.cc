#include "tools/certify/certify.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <utility>
#include <vector>

#include "bench/backends/cuda_backend.h"
#include "bench/comm/collective_watchdog.h"
#include "bench/comm/world_communicator.h"
#include "bench/runner/runner.h"
#include "bench/telemetry/nvml_telemetry.h"
#include "conformance/core/sha256.h"
#include "conformance/judge/verdict.h"
#include "conformance/spec/overlay.h"
#include "reports/json_report.h"
#include "reports/signing.h"
#include "tools/certify/device_collectives.h"
#include "tools/certify/interrupt_signals.h"
#include "tools/certify/journaling_observer.h"
#include "tools/certify/plan_agreement.h"
#include "tools/certify/report_files.h"
#include "tools/certify/run_facts.h"
#include "tools/certify/run_resume.h"
#include "tools/certify/spec_input.h"

namespace lepton::certify {
namespace {

using Failure = std::unexpected<CertifyFailure>;

std::string IsoNow(std::chrono::system_clock::time_point now) {
  const auto seconds = std::chrono::time_point_cast<std::chrono::seconds>(now);
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}",
                     fmt::gmtime(std::chrono::system_clock::to_time_t(seconds)));
}

Failure InputFailure(Status status) {
  return Failure(CertifyFailure{.kind = CertifyFailure::Kind::kInput, .status = std::move(status)});
}

// What the options name, read and checked before anything runs: a typo in a key's path must
// not cost a whole run.
struct Inputs {
  CertifyOptions options;
  std::optional<reports::RunJournal> earlier;  // the journal of the run this session resumes
  SpecInput input;
  std::optional<reports::KeyPair> signing_keys;
  std::optional<spec::Overlay> overlay;
};

// The overlay's digest as the journal keeps it: empty without an overlay.
std::string OverlaySha256(const Inputs& inputs) {
  return inputs.overlay ? Sha256Hex(inputs.overlay->file.bytes) : std::string();
}

Result<Inputs> ReadInputs(const CertifyOptions& requested) {
  Inputs inputs{.options = requested};
  // A resumed run takes every option from its journal.
  if (requested.resume_dir) {
    LEPTON_ASSIGN_OR_RETURN(reports::RunJournal journal,
                            reports::ReadJournal(*requested.resume_dir));
    LEPTON_ASSIGN_OR_RETURN(inputs.options, OptionsFromJournal(journal, *requested.resume_dir));
    inputs.options.tool = requested.tool;
    inputs.earlier = std::move(journal);
  }
  const CertifyOptions& options = inputs.options;
  LEPTON_ASSIGN_OR_RETURN(inputs.input, LoadSpecInput(options.spec_path));
  if (options.sign_key) {
    std::filesystem::path pubfile = *options.sign_key;
    pubfile += ".pub";
    LEPTON_ASSIGN_OR_RETURN(std::string secret, reports::LoadSecretKey(*options.sign_key));
    LEPTON_ASSIGN_OR_RETURN(std::string public_key, reports::LoadPublicKey(pubfile));
    inputs.signing_keys = reports::KeyPair{std::move(public_key), std::move(secret)};
  }
  LEPTON_RETURN_IF_ERROR(bench::CheckMeterSelection(options.energy));
  if (options.overlay_path) {
    LEPTON_ASSIGN_OR_RETURN(spec::Overlay overlay,
                            spec::LoadOverlayFromPath(*options.overlay_path));
    LEPTON_RETURN_IF_ERROR(spec::ApplyOverlay(overlay, inputs.input.spec));
    inputs.overlay = std::move(overlay);
  }
  return inputs;
}

// Everything the report and the runner point into, and the run's communicators. Members are
// destroyed in reverse: the devices' collectives before the run's communicator they were
// bootstrapped over.
struct RunState {
  Inputs inputs;
  std::unique_ptr<bench::Communicator> communicator;
  RunFacts run;
  spec::Plan plan;
  // Kept until the caller lets go of the run, so a signal while it reports the outcome is
  // recorded as during the run, not fatal.
  std::optional<InterruptSignals> signals;
  DeviceCollectives device_collectives;
  std::vector<bench::WorkloadRecord> workloads;
  reports::CertificationReport report;
};

// The facts every rank plans from, then the plan the ranks agreed on.
std::expected<void, CertifyFailure> PlanTheRun(RunState& state, CertifyObserver& observer) {
  const CertifyOptions& options = state.inputs.options;
  const spec::Spec& spec = state.inputs.input.spec;
  bench::Communicator& world = *state.communicator;
  const bool writes_report = world.rank() == 0;
  auto gathered = GatherRunFacts(world, options.threads_per_rank);
  if (!gathered) {
    return Failure(
        CertifyFailure{.kind = CertifyFailure::Kind::kInternal, .status = gathered.error()});
  }
  state.run = std::move(*gathered);
  if (writes_report && !state.run.launcher_disagrees.empty()) {
    observer.OnNotice("warning: " + state.run.launcher_disagrees);
  }
  spec::Facts& facts = state.run.facts;
  // The ranks fact is the ranks the collectives run over: for a comm: nccl-local profile the
  // GPUs of the one process (so `applies_if: ranks >= 2` judges the bandwidths as it does for
  // one process per GPU); such a profile under a launcher of several processes is refused. The
  // plan reads the facts, so this is the one look at the profile before it; an unknown profile
  // is left to PlanRun, which names the known ones.
  if (const auto named = spec.profiles.find(options.profile); named != spec.profiles.end()) {
    const auto ranks =
        CollectiveRanksFact(named->second, world.size(), bench::CountRunGpus(state.run.run_gpus));
    if (!ranks) {
      return Failure(CertifyFailure{.kind = CertifyFailure::Kind::kProfileRefused,
                                    .status = ranks.error(),
                                    .quiet = !writes_report});
    }
    facts.values["ranks"] = *ranks;
  }
  auto plan = spec::PlanRun(spec, options.profile, facts, {.runs_override = options.runs});
  if (Status agreed = AgreeOnPlan(world, plan, facts); !agreed.ok()) {
    return Failure(CertifyFailure{.kind = agreed.code() == StatusCode::kFailedPrecondition
                                              ? CertifyFailure::Kind::kInput
                                              : CertifyFailure::Kind::kInternal,
                                  .status = agreed,
                                  .quiet = !writes_report});
  }
  if (!plan) {
    return Failure(
        CertifyFailure{.kind = CertifyFailure::Kind::kProfileRefused, .status = plan.error()});
  }
  state.plan = std::move(*plan);
  return {};
}

bench::RunnerOptions MakeRunnerOptions(const RunState& state) {
  const CertifyOptions& options = state.inputs.options;
  bench::RunnerOptions runner_options;
  runner_options.device = state.plan.profile->devices;
  runner_options.data_root = state.inputs.input.data_root;
  runner_options.system = &state.run.system;
  runner_options.dataset_dirs = options.dataset_dirs;
  runner_options.communicator = state.communicator.get();
  runner_options.cpu_threads = state.run.cpu_threads;
  runner_options.set_cpu_threads = bench::SetCpuThreads;
  runner_options.energy_meter = [selection = options.energy, device = state.plan.profile->devices](
                                    const spec::EnergySettings& settings) {
    return bench::OpenEnergyMeter(selection, device, settings);
  };
  // On devices: cuda the runner samples NVML over every timed run (docs/gpu-telemetry.md).
  runner_options.telemetry_sampler = []() -> Result<std::unique_ptr<bench::TelemetrySampler>> {
    LEPTON_ASSIGN_OR_RETURN(auto sampler, bench::OpenNvmlTelemetrySampler({}));
    return std::unique_ptr<bench::TelemetrySampler>(std::move(sampler));
  };
  if (state.inputs.earlier) runner_options.finished = &state.inputs.earlier->workloads;
  return runner_options;
}

// The all-ranks workloads of a devices: cuda profile measure on the GPUs (DeviceComm); barriers
// stay on the run's communicator. When the devices cannot be set up the run goes on and those
// workloads say why they were not measured.
void SetUpDeviceCollectives(RunState& state, bench::RunnerOptions& runner_options,
                            CertifyObserver& observer) {
  bench::Communicator& world = *state.communicator;
  switch (DeviceCommOf(*state.plan.profile)) {
    case DeviceComm::kNone:
      return;
    case DeviceComm::kNccl: {
      // One GPU per rank: the launcher's local rank, else the hostnames' order.
      Result<int> device = state.run.rank_device;
      if (const std::string shared = bench::SharedGpus(state.run.run_gpus);
          device && !shared.empty()) {
        device = std::unexpected(FailedPreconditionError(
            "NCCL runs one rank per GPU (two ranks on one GPU fail with \"Duplicate GPU "
            "detected\"): " +
            shared));
      }
      state.device_collectives = OpenDeviceCollectives(bench::LoadCudaBackend(), world, device,
                                                       bench::CollectiveTimeoutFromEnvironment());
      if (!state.device_collectives.status.ok() && world.rank() == 0) {
        observer.OnNotice("NCCL is not set up, the collectives are not measured: " +
                          state.device_collectives.status.message());
      }
      runner_options.device_communicator = state.device_collectives.communicator.get();
      runner_options.device_memory = state.device_collectives.memory.get();
      break;
    }
    case DeviceComm::kNcclLocal:
      // This one process drives every GPU it sees through NCCL's single-process group
      // (ncclCommInitAll); CollectiveRanksFact refused several ranks.
      state.device_collectives =
          OpenLocalGroup(bench::LoadCudaBackend(), bench::CollectiveTimeoutFromEnvironment());
      if (!state.device_collectives.status.ok()) {
        observer.OnNotice(
            "NCCL's single-process group is not set up, the collectives are not measured: " +
            state.device_collectives.status.message());
      }
      runner_options.device_group = state.device_collectives.group.get();
      break;
  }
  runner_options.device_status = state.device_collectives.status;
}

// Ranks other than 0 take their share of the all-ranks workloads; their measurements reach
// rank 0 through the collectives themselves.
Outcome RankShare(const std::vector<bench::WorkloadRecord>& records) {
  for (const bench::WorkloadRecord& record : records) {
    if (!record.error.empty()) return Outcome::kRankFailed;
    for (const bench::RunRecord& run : record.runs) {
      if (!run.error.empty()) return Outcome::kRankFailed;
    }
  }
  return Outcome::kRankMeasured;
}

reports::RunJournal JournalStart(const RunState& state, const std::string& started_at) {
  const Inputs& inputs = state.inputs;
  reports::RunJournal journal;
  if (inputs.earlier) {
    journal = *inputs.earlier;
    ++journal.sessions;
    return journal;
  }
  journal.settings = SettingsFromOptions(inputs.options);
  journal.command_line = inputs.options.command_line;
  journal.tool_version = inputs.options.tool.version;
  journal.git_commit = inputs.options.tool.git_commit;
  journal.spec_sha256 = inputs.input.spec.sha256;
  journal.overlay_sha256 = OverlaySha256(inputs);
  journal.facts = state.run.facts;
  journal.started_at = started_at;
  return journal;
}

// The report of what ran: verdicts, summary and the run's circumstances. `journal`: this
// session's journal, when it kept one; `incomplete`: why the run did not finish, if it did not.
const reports::CertificationReport& AssembleReport(RunState& state,
                                                   const reports::RunJournal* journal,
                                                   std::chrono::system_clock::time_point started,
                                                   const std::string& interrupted_by,
                                                   std::string_view incomplete) {
  const CertifyOptions& options = state.inputs.options;
  const std::optional<reports::RunJournal>& earlier = state.inputs.earlier;
  const std::vector<bench::WorkloadRecord>& workloads = state.workloads;
  reports::CertificationReport& report = state.report;
  report.tool.version = options.tool.version;
  report.tool.git_commit = options.tool.git_commit;
  report.spec = &state.inputs.input.spec;
  report.plan = &state.plan;
  report.overlay = state.inputs.overlay ? &*state.inputs.overlay : nullptr;
  report.system = &state.run.system;
  report.workloads = &workloads;
  report.verdicts = judge::JudgeAll(state.plan, workloads);
  report.summary = judge::Summarize(state.plan.requirements, report.verdicts, incomplete);
  report.run.started_at = earlier ? earlier->started_at : IsoNow(started);
  report.run.finished_at = IsoNow(std::chrono::system_clock::now());
  report.run.duration_s =
      journal != nullptr
          ? journal->elapsed_s
          : std::chrono::duration<double>(std::chrono::system_clock::now() - started).count();
  report.run.interrupted_by = interrupted_by;
  if (journal != nullptr) report.run.sessions = journal->sessions;
  if (earlier) {
    for (const bench::WorkloadRecord& record : earlier->workloads) {
      if (bench::FindRecord(workloads, record.name) != nullptr) {
        report.run.resumed_workloads.push_back(record.name);
      }
    }
  }
  report.run.command_line = options.command_line;
  report.run.runs_override = options.runs;
  report.run.facts = state.run.facts;
  report.run.cpu_threads = state.run.cpu_threads;
  report.run.spec_source = state.inputs.input.source;
  return report;
}

}  // namespace

std::expected<CertifiedRun, CertifyFailure> Certify(const CertifyOptions& requested,
                                                    CertifyObserver& observer) {
  const auto started = std::chrono::system_clock::now();
  auto shared_state = std::make_shared<RunState>();
  RunState& state = *shared_state;
  auto inputs = ReadInputs(requested);
  if (!inputs) return InputFailure(inputs.error());
  state.inputs = std::move(*inputs);
  const CertifyOptions& options = state.inputs.options;
  const std::optional<reports::RunJournal>& earlier = state.inputs.earlier;

  // Under mpirun or srun every rank runs this; rank 0 alone writes files (see RunPlan for
  // which workloads the other ranks take part in).
  auto communicator = bench::MakeWorldCommunicator();
  if (!communicator) return InputFailure(communicator.error());
  state.communicator = std::move(*communicator);
  bench::Communicator& world = *state.communicator;
  const bool writes_report = world.rank() == 0;
  if (auto planned = PlanTheRun(state, observer); !planned) return Failure(planned.error());
  // Interruption and resumption are for runs of one process: under mpirun the launcher owns
  // the signals, and ranks stopping at different steps would leave collectives waiting.
  const bool alone = world.size() == 1;
  if (earlier) {
    if (!alone) {
      return InputFailure(
          FailedPreconditionError("--resume continues single-process runs only; this one has " +
                                  std::to_string(world.size()) + " ranks"));
    }
    if (Status same = CheckSameRun(*earlier, options.tool.version, options.tool.git_commit,
                                   state.inputs.input.spec.sha256, OverlaySha256(state.inputs),
                                   state.run.facts);
        !same.ok()) {
      return InputFailure(same);
    }
  }
  if (alone) state.signals.emplace();

  bench::RunnerOptions runner_options = MakeRunnerOptions(state);
  SetUpDeviceCollectives(state, runner_options, observer);
  if (state.signals) runner_options.interruption = [] { return InterruptSignals::ReceivedName(); };
  CertifiedRun certified{.out_dir = options.out_dir, .resources = shared_state};
  if (!writes_report) {
    bench::RunObserver silent;
    certified.outcome = RankShare(bench::RunPlan(state.plan, runner_options, silent));
    return certified;
  }

  std::error_code error;
  std::filesystem::create_directories(options.out_dir, error);
  if (error) {
    return InputFailure(FailedPreconditionError(
        fmt::format("cannot create {}: {}", options.out_dir.string(), error.message())));
  }
  observer.OnCertifyStart(
      {.spec = &state.inputs.input.spec,
       .spec_source = state.inputs.input.source,
       .plan = &state.plan,
       .ranks = world.size(),
       .nodes = state.run.layout.nodes,
       .communicators = CommunicatorsDescription(world, state.device_collectives),
       .cpu_threads = state.run.cpu_threads,
       .energy = options.energy.choice,
       .resumed = earlier ? &*earlier : nullptr});
  std::optional<JournalingObserver> journaling;
  if (alone) journaling.emplace(observer, JournalStart(state, IsoNow(started)), options.out_dir);
  bench::RunObserver& run_observer = journaling ? static_cast<bench::RunObserver&>(*journaling)
                                                : static_cast<bench::RunObserver&>(observer);
  state.workloads = bench::RunPlan(state.plan, runner_options, run_observer);
  const std::vector<bench::WorkloadRecord>& workloads = state.workloads;
  observer.OnWorkloadsDone();
  // A signal after the last workload finished interrupted nothing.
  const bool interrupted =
      std::any_of(workloads.begin(), workloads.end(),
                  [](const bench::WorkloadRecord& record) { return record.interrupted; });
  const std::string interrupted_by = interrupted ? InterruptSignals::ReceivedName() : "";
  if (journaling) journaling->Finish(interrupted_by);

  const reports::CertificationReport& report =
      AssembleReport(state, journaling ? &journaling->journal() : nullptr, started, interrupted_by,
                     interrupted ? "interrupted by " + interrupted_by : "");
  certified.report = &report;

  // The journal wrote each workload's artifacts as it finished; write them only if it could not.
  const bool stored_already = journaling && journaling->artifacts_written();
  if (Status stored =
          stored_already ? OkStatus() : reports::WriteArtifacts(workloads, options.out_dir);
      !stored.ok()) {
    certified.outcome = Outcome::kNotWritten;
    certified.error = stored.WithContext("cannot store run artifacts");
    return certified;
  }
  auto report_path = WriteReportFiles(report, state.inputs.signing_keys, options.out_dir);
  if (!report_path) {
    certified.outcome = Outcome::kNotWritten;
    certified.error = report_path.error();
    return certified;
  }
  certified.report_path = *report_path;
  if (interrupted) {
    certified.outcome = Outcome::kInterrupted;
    certified.interrupted_by = interrupted_by;
    certified.interrupting_signal = InterruptSignals::Received();
    return certified;
  }
  // Complete: nothing is left to resume.
  if (journaling) {
    std::error_code ignored;
    std::filesystem::remove(options.out_dir / reports::kJournalFileName, ignored);
  }
  certified.outcome = report.summary.certified ? Outcome::kCertified : Outcome::kNotCertified;
  return certified;
}

}  // namespace lepton::certify
