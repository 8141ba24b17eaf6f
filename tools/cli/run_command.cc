#include "tools/cli/run_command.h"

#include <fmt/chrono.h>
#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <thread>

#include "bench/backends/cuda_backend.h"
#include "bench/comm/collective_watchdog.h"
#include "bench/comm/node_layout.h"
#include "bench/comm/run_gpus.h"
#include "bench/comm/world_communicator.h"
#include "bench/runner/runner.h"
#include "bench/telemetry/nvml_telemetry.h"
#include "conformance/checks/system_probe.h"
#include "conformance/core/atomic_file.h"
#include "conformance/core/sha256.h"
#include "conformance/judge/verdict.h"
#include "conformance/spec/overlay.h"
#include "conformance/spec/resolve.h"
#include "reports/json_report.h"
#include "reports/report_verify.h"
#include "reports/signing.h"
#include "tools/certify/device_collectives.h"
#include "tools/certify/interrupt_signals.h"
#include "tools/certify/journaling_observer.h"
#include "tools/certify/plan_agreement.h"
#include "tools/certify/run_resume.h"
#include "tools/certify/spec_input.h"
#include "tools/cli/build_info.h"
#include "tools/cli/exit_codes.h"
#include "tools/cli/hung_device_exit.h"
#include "tools/cli/progress.h"
#include "tools/cli/report_commands.h"

namespace lepton::cli {
namespace {

std::string IsoNow(std::chrono::system_clock::time_point now) {
  const auto seconds = std::chrono::time_point_cast<std::chrono::seconds>(now);
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}",
                     fmt::gmtime(std::chrono::system_clock::to_time_t(seconds)));
}

int InputError(const Status& status) {
  fmt::print(stderr, "lepton-cert: error: {}\n", status.message());
  return kExitUsageError;
}

// Four significant digits and digest prefixes for the terminal; the report keeps every digit.
std::string DisplayValue(const spec::Value& value) {
  if (const auto* number = std::get_if<double>(&value)) return fmt::format("{:.4g}", *number);
  const std::string text = spec::ValueToString(value);
  return text.size() > 24 ? text.substr(0, 12) + "..." : text;
}

std::string MeasuredText(const judge::Verdict& verdict, const spec::Requirement& requirement) {
  if (!verdict.statistic_value) return "-";
  const std::string name =
      requirement.statistic ? std::string(spec::StatisticName(*requirement.statistic)) : "value";
  return name + " " + DisplayValue(*verdict.statistic_value) + " " + requirement.unit;
}

// How the energy figures a requirement judges were measured: the first timed run's evidence.
std::string EnergyMethodLine(const reports::CertificationReport& report,
                             const spec::Requirement& requirement) {
  const bench::WorkloadRecord* record = bench::FindRecord(*report.workloads, requirement.workload);
  if (record == nullptr) return "workload not run";
  for (const bench::RunRecord& run : record->runs) {
    if (run.warmup || !run.energy) continue;
    const bench::EnergyEvidence& energy = *run.energy;
    if (!energy.not_measured_reason.empty()) return "not measured: " + energy.not_measured_reason;
    std::string domains;
    for (const std::string& domain : energy.domains)
      domains += (domains.empty() ? "" : ", ") + domain;
    return fmt::format(
        "{} via {} ({}), {} readings over {:.4g} s of timed steps in {} pass(es); "
        "idle {} included",
        energy.tier ? spec::EnergyTierName(*energy.tier) : "?", energy.meter, domains,
        energy.samples, energy.covered_s, energy.passes,
        energy.idle_watts ? fmt::format("{:.4g} W", *energy.idle_watts)
                          : std::string("(not measured)"));
  }
  return record->unavailable_reason.empty() ? "no energy recorded"
                                            : "workload unavailable: " + record->unavailable_reason;
}

void PrintSummary(const reports::CertificationReport& report, const std::filesystem::path& path) {
  const spec::Spec& spec = *report.spec;
  fmt::print("\nlepton-cert {} | spec {} {} ({}, sha256 {}) | profile {}\n", ToolVersion(), spec.id,
             spec.version, spec.status, spec.sha256.substr(0, 12), report.plan->profile->name);
  fmt::print("{:<28} {:<6} {:<14} {:<30} {}\n", "REQUIREMENT", "LEVEL", "VERDICT", "MEASURED",
             "THRESHOLD");
  for (std::size_t i = 0; i < report.verdicts.size(); ++i) {
    const spec::PlannedRequirement& planned = report.plan->requirements[i];
    const judge::Verdict& verdict = report.verdicts[i];
    const spec::Requirement& requirement = *planned.requirement;
    fmt::print("{:<28} {:<6} {:<14} {:<30} {} {} {}\n", requirement.id,
               spec::LevelName(requirement.level), judge::VerdictStatusName(verdict.status),
               MeasuredText(verdict, requirement), spec::ComparisonSymbol(requirement.threshold.op),
               DisplayValue(planned.threshold), requirement.unit);
    if (verdict.status != judge::VerdictStatus::kPass) {
      fmt::print("{:<28} {}\n", "", verdict.reason);
    }
    if (requirement.kind == spec::RequirementKind::kEnergy &&
        (verdict.status == judge::VerdictStatus::kPass ||
         verdict.status == judge::VerdictStatus::kFail)) {
      fmt::print("{:<28} energy: {}\n", "", EnergyMethodLine(report, requirement));
    }
  }
  const judge::Summary& summary = report.summary;
  fmt::print("\nVerdict: {} ({}/{} MUST passed, {}/{} SHOULD passed, {} not applicable)\n",
             summary.certified ? "CERTIFIED" : "NOT CERTIFIED", summary.must_passed,
             summary.must_total, summary.should_passed, summary.should_total,
             summary.not_applicable);
  for (const std::string& blocking : summary.blocking) fmt::print("  blocking: {}\n", blocking);
  fmt::print("Report: {}\n", path.string());
}

}  // namespace

int RunCertification(const certify::CertifyOptions& requested) {
  const auto started = std::chrono::system_clock::now();
  // A resumed run takes every option from its journal.
  std::optional<reports::RunJournal> earlier;
  certify::CertifyOptions options = requested;
  if (requested.resume_dir) {
    auto journal = reports::ReadJournal(*requested.resume_dir);
    if (!journal) return InputError(journal.error());
    auto restored = certify::OptionsFromJournal(*journal, *requested.resume_dir);
    if (!restored) return InputError(restored.error());
    options = std::move(*restored);
    earlier = std::move(*journal);
  }
  auto input = certify::LoadSpecInput(options.spec_path);
  if (!input) return InputError(input.error());
  // The signing key is checked before anything runs: a typo must not cost a whole run.
  std::optional<reports::KeyPair> signing_keys;
  if (options.sign_key) {
    std::filesystem::path pubfile = *options.sign_key;
    pubfile += ".pub";
    auto secret = reports::LoadSecretKey(*options.sign_key);
    if (!secret) return InputError(secret.error());
    auto public_key = reports::LoadPublicKey(pubfile);
    if (!public_key) return InputError(public_key.error());
    signing_keys = reports::KeyPair{*public_key, *secret};
  }
  if (Status energy = bench::CheckMeterSelection(options.energy); !energy.ok()) {
    return InputError(energy);
  }
  std::optional<spec::Overlay> overlay;
  if (options.overlay_path) {
    auto loaded = spec::LoadOverlayFromPath(*options.overlay_path);
    if (!loaded) return InputError(loaded.error());
    if (Status applied = spec::ApplyOverlay(*loaded, input->spec); !applied.ok()) {
      return InputError(applied);
    }
    overlay = std::move(*loaded);
  }

  // Under mpirun or srun every rank runs this; rank 0 alone writes files (see RunPlan for
  // which workloads the other ranks take part in).
  auto communicator = bench::MakeWorldCommunicator();
  if (!communicator) {
    fmt::print(stderr, "lepton-cert: error: {}\n", communicator.error().message());
    return kExitUsageError;
  }
  const bool writes_report = (*communicator)->rank() == 0;
  const checks::SystemDescription system = checks::ProbeSystem();
  spec::Facts facts = checks::FactsFrom(system);
  facts.values["ranks"] = (*communicator)->size();
  // Nodes: the distinct hostnames of the ranks (collective: every rank takes part).
  auto layout = bench::GatherNodeLayout(**communicator);
  if (!layout) {
    fmt::print(stderr, "lepton-cert: error: gathering the ranks' hostnames: {}\n",
               layout.error().message());
    return kExitInternalError;
  }
  facts.values["nodes"] = layout->nodes;
  const bench::EnvironmentLookup environment = [](const char* name) { return std::getenv(name); };
  // Each rank's CPU threads: its share of the node's cores unless the user said otherwise; the
  // runner sets them before each workload (bench/runner/cpu_threads.h).
  const bench::CpuThreads cpu_threads = bench::ChooseCpuThreads(
      {.rank_cpus = layout->cpus > 0 ? layout->cpus : system.cpu_cores,
       .node_cpus = layout->node_cpus > 0 ? layout->node_cpus
                                          : static_cast<int>(std::thread::hardware_concurrency()),
       .local_ranks = layout->local_ranks,
       .option = options.threads_per_rank,
       .omp_num_threads = bench::ParseOmpNumThreads(environment("OMP_NUM_THREADS"))});
  const bool launched = bench::DetectLaunch().under_launcher;
  if (const auto stated = launched ? bench::LauncherNodeCount(environment) : std::nullopt;
      writes_report && stated && stated->value != layout->nodes) {
    fmt::print(stderr,
               "lepton-cert: warning: the launcher states {} node(s) ({}), the ranks' hostnames "
               "show {}; the report states {}\n",
               stated->value, stated->source, layout->nodes, layout->nodes);
  }
  // GPUs: each rank sees only its process's devices (a launcher may show each rank one), so the
  // run's `gpus` fact counts the distinct devices over every rank, and every rank plans with the
  // same count. Each rank's device for NCCL: its local rank, or its only GPU.
  const auto launcher_local = launched ? bench::LauncherLocalRank(environment) : std::nullopt;
  const int local_rank = launcher_local ? launcher_local->value : layout->local_rank;
  const Result<int> rank_device =
      bench::ChooseRankDevice(system.gpus.count, local_rank, layout->local_ranks);
  bench::RankGpus my_gpus{system.hostname, {}, rank_device.value_or(-1)};
  for (int ordinal = 0; ordinal < system.gpus.count; ++ordinal) {
    const auto index = static_cast<std::size_t>(ordinal);
    my_gpus.pci_bus_ids.push_back(
        index < system.gpus.devices.size() ? system.gpus.devices[index].pci_bus_id : "");
  }
  auto run_gpus = bench::GatherRankGpus(**communicator, my_gpus);
  if (!run_gpus) {
    fmt::print(stderr, "lepton-cert: error: gathering the ranks' GPUs: {}\n",
               run_gpus.error().message());
    return kExitInternalError;
  }
  facts.values["gpus"] = bench::CountRunGpus(*run_gpus);
  // The ranks fact is the ranks the collectives run over: for a comm: nccl-local profile the
  // GPUs of the one process (so `applies_if: ranks >= 2` judges the bandwidths as it does for
  // one process per GPU); such a profile under a launcher of several processes is refused. An
  // unknown profile is left to PlanRun, which names the known ones.
  if (const auto named = input->spec.profiles.find(options.profile);
      named != input->spec.profiles.end()) {
    const auto ranks = certify::CollectiveRanksFact(named->second, (*communicator)->size(),
                                                    bench::CountRunGpus(*run_gpus));
    if (!ranks) {
      if (writes_report) {
        fmt::print(stderr, "lepton-cert: profile refused: {}\n", ranks.error().message());
      }
      return kExitUsageError;
    }
    facts.values["ranks"] = *ranks;
  }
  auto plan = spec::PlanRun(input->spec, options.profile, facts, {.runs_override = options.runs});
  if (Status agreed = certify::AgreeOnPlan(**communicator, plan, facts); !agreed.ok()) {
    if (writes_report) fmt::print(stderr, "lepton-cert: error: {}\n", agreed.message());
    return agreed.code() == StatusCode::kFailedPrecondition ? kExitUsageError : kExitInternalError;
  }
  if (!plan) {
    fmt::print(stderr, "lepton-cert: profile refused: {}\n", plan.error().message());
    return kExitUsageError;
  }
  // Interruption and resumption are for runs of one process: under mpirun the launcher owns
  // the signals, and ranks stopping at different steps would leave collectives waiting.
  const bool alone = (*communicator)->size() == 1;
  const std::string overlay_sha256 = overlay ? Sha256Hex(overlay->file.bytes) : std::string();
  if (earlier) {
    if (!alone) {
      return InputError(
          FailedPreconditionError("--resume continues single-process runs only; this one has " +
                                  std::to_string((*communicator)->size()) + " ranks"));
    }
    if (Status same = certify::CheckSameRun(*earlier, ToolVersion(), GitCommit(),
                                            input->spec.sha256, overlay_sha256, facts);
        !same.ok()) {
      return InputError(same);
    }
  }
  std::optional<certify::InterruptSignals> signals;
  if (alone) signals.emplace();

  bench::RunnerOptions runner_options;
  runner_options.device = plan->profile->devices;
  runner_options.data_root = input->data_root;
  runner_options.system = &system;
  runner_options.dataset_dirs = options.dataset_dirs;
  runner_options.communicator = communicator->get();
  runner_options.cpu_threads = cpu_threads;
  runner_options.set_cpu_threads = bench::SetCpuThreads;
  runner_options.energy_meter =
      [&options, device = plan->profile->devices](const spec::EnergySettings& settings) {
        return bench::OpenEnergyMeter(options.energy, device, settings);
      };
  // On devices: cuda the runner samples NVML over every timed run (docs/gpu-telemetry.md).
  runner_options.telemetry_sampler = []() -> Result<std::unique_ptr<bench::TelemetrySampler>> {
    LEPTON_ASSIGN_OR_RETURN(auto sampler, bench::OpenNvmlTelemetrySampler({}));
    return std::unique_ptr<bench::TelemetrySampler>(std::move(sampler));
  };
  // devices: cuda with comm: nccl: the all-ranks workloads measure through NCCL on device
  // buffers (one GPU per rank: the launcher's local rank, else the hostnames' order); barriers
  // stay on the run's communicator. Declared after it, so it is destroyed first.
  certify::DeviceCollectives device_collectives;
  if (plan->profile->devices == "cuda" && plan->profile->comm == "nccl") {
    Result<int> device = rank_device;
    if (const std::string shared = bench::SharedGpus(*run_gpus); device && !shared.empty()) {
      device = std::unexpected(FailedPreconditionError(
          "NCCL runs one rank per GPU (two ranks on one GPU fail with \"Duplicate GPU "
          "detected\"): " +
          shared));
    }
    device_collectives =
        certify::OpenDeviceCollectives(bench::LoadCudaBackend(), **communicator, device,
                                       bench::CollectiveTimeoutFromEnvironment());
    if (!device_collectives.status.ok() && writes_report) {
      fmt::print(stderr, "lepton-cert: NCCL is not set up, the collectives are not measured: {}\n",
                 device_collectives.status.message());
    }
    runner_options.device_communicator = device_collectives.communicator.get();
    runner_options.device_memory = device_collectives.memory.get();
    runner_options.device_status = device_collectives.status;
  }
  // devices: cuda with comm: nccl-local: this one process drives every GPU it sees through
  // NCCL's single-process group (ncclCommInitAll); certify::CollectiveRanksFact refused several
  // ranks.
  if (plan->profile->devices == "cuda" && plan->profile->comm == "nccl-local") {
    device_collectives = certify::OpenLocalGroup(bench::LoadCudaBackend(),
                                                 bench::CollectiveTimeoutFromEnvironment());
    if (!device_collectives.status.ok()) {
      fmt::print(stderr,
                 "lepton-cert: NCCL's single-process group is not set up, the collectives are "
                 "not measured: {}\n",
                 device_collectives.status.message());
    }
    runner_options.device_group = device_collectives.group.get();
    runner_options.device_status = device_collectives.status;
  }
  if (signals)
    runner_options.interruption = [] { return certify::InterruptSignals::ReceivedName(); };
  if (earlier) runner_options.finished = &earlier->workloads;
  // From the first workload on, every way out goes through EndRun (hung_device_exit.h): a GPU
  // that hung makes the process end there, before destructors that would wait for it.
  if (!writes_report) {
    bench::RunObserver silent;
    const auto records = bench::RunPlan(*plan, runner_options, silent);
    // This rank's share of the measurements went to rank 0 through the collectives themselves.
    for (const bench::WorkloadRecord& record : records) {
      if (!record.error.empty()) return EndRun(kExitInternalError);
      for (const bench::RunRecord& run : record.runs) {
        if (!run.error.empty()) return EndRun(kExitInternalError);
      }
    }
    return EndRun(kExitCertified);
  }

  std::error_code error;
  std::filesystem::create_directories(options.out_dir, error);
  if (error) {
    fmt::print(stderr, "lepton-cert: error: cannot create {}: {}\n", options.out_dir.string(),
               error.message());
    return kExitUsageError;
  }

  const std::string comm_name =
      certify::CommunicatorsDescription(**communicator, device_collectives);
  fmt::print(stderr,
             "lepton-cert {}: spec {} {} ({}), profile {}, {} requirements, {} workloads, {} "
             "rank(s) on {} node(s) ({}), {} CPU thread(s) per rank ({}), energy meter {}\n",
             ToolVersion(), input->spec.id, input->spec.version, input->source, plan->profile->name,
             plan->requirements.size(), plan->workloads.size(), (*communicator)->size(),
             layout->nodes, comm_name, cpu_threads.per_rank, cpu_threads.source,
             bench::MeterChoiceName(options.energy.choice));
  ProgressPrinter progress(stderr, ::isatty(STDERR_FILENO) != 0);
  reports::RunJournal journal_start;
  if (earlier) {
    journal_start = *earlier;
    ++journal_start.sessions;
    fmt::print(stderr,
               "lepton-cert: resuming the run started {} ({} workload(s) finished, {} "
               "earlier session(s))\n",
               earlier->started_at, earlier->workloads.size(), earlier->sessions);
  } else {
    journal_start.settings = certify::SettingsFromOptions(options);
    journal_start.command_line = options.command_line;
    journal_start.tool_version = std::string(ToolVersion());
    journal_start.git_commit = std::string(GitCommit());
    journal_start.spec_sha256 = input->spec.sha256;
    journal_start.overlay_sha256 = overlay_sha256;
    journal_start.facts = facts;
    journal_start.started_at = IsoNow(started);
  }
  std::optional<certify::JournalingObserver> journaling;
  if (alone) journaling.emplace(progress, std::move(journal_start), options.out_dir, stderr);
  bench::RunObserver& observer = journaling ? static_cast<bench::RunObserver&>(*journaling)
                                            : static_cast<bench::RunObserver&>(progress);
  const std::vector<bench::WorkloadRecord> workloads =
      bench::RunPlan(*plan, runner_options, observer);
  progress.PrintSummary();
  // A signal after the last workload finished interrupted nothing.
  const bool interrupted =
      std::any_of(workloads.begin(), workloads.end(),
                  [](const bench::WorkloadRecord& record) { return record.interrupted; });
  const std::string interrupted_by = interrupted ? certify::InterruptSignals::ReceivedName() : "";
  if (journaling) journaling->Finish(interrupted_by);

  reports::CertificationReport report;
  report.tool.version = std::string(ToolVersion());
  report.tool.git_commit = std::string(GitCommit());
  report.spec = &input->spec;
  report.plan = &*plan;
  report.overlay = overlay ? &*overlay : nullptr;
  report.system = &system;
  report.workloads = &workloads;
  report.verdicts = judge::JudgeAll(*plan, workloads);
  report.summary = judge::Summarize(plan->requirements, report.verdicts,
                                    interrupted ? "interrupted by " + interrupted_by : "");
  report.run.started_at = earlier ? earlier->started_at : IsoNow(started);
  report.run.finished_at = IsoNow(std::chrono::system_clock::now());
  report.run.duration_s =
      journaling
          ? journaling->journal().elapsed_s
          : std::chrono::duration<double>(std::chrono::system_clock::now() - started).count();
  report.run.interrupted_by = interrupted_by;
  if (journaling) report.run.sessions = journaling->journal().sessions;
  if (earlier) {
    for (const bench::WorkloadRecord& record : earlier->workloads) {
      if (bench::FindRecord(workloads, record.name) != nullptr) {
        report.run.resumed_workloads.push_back(record.name);
      }
    }
  }
  report.run.command_line = options.command_line;
  report.run.runs_override = options.runs;
  report.run.facts = facts;
  report.run.cpu_threads = cpu_threads;
  report.run.spec_source = input->source;

  // The journal wrote each workload's artifacts as it finished; write them only if it could not.
  const bool stored_already = journaling && journaling->artifacts_written();
  if (Status stored =
          stored_already ? OkStatus() : reports::WriteArtifacts(workloads, options.out_dir);
      !stored.ok()) {
    fmt::print(stderr, "lepton-cert: error: cannot store run artifacts: {}\n", stored.message());
    return EndRun(kExitInternalError);
  }
  const std::filesystem::path report_path = options.out_dir / "report.json";
  std::string json = reports::ReportToJson(report);
  if (signing_keys) {
    auto signed_json =
        reports::SignReport(json, signing_keys->secret_hex, signing_keys->public_hex);
    if (!signed_json) {
      fmt::print(stderr, "lepton-cert: error: cannot sign the report: {}\n",
                 signed_json.error().message());
      return EndRun(kExitInternalError);
    }
    json = std::move(*signed_json);
  }
  if (Status written = WriteFileAtomically(report_path, json); !written.ok()) {
    fmt::print(stderr, "lepton-cert: error: cannot write the report: {}\n", written.message());
    return EndRun(kExitInternalError);
  }
  // The Markdown and JUnit renderings are made from the JSON as written, like any later render.
  for (const auto& [format, file] :
       {std::pair<std::string, std::string>{"html", "report.html"},
        std::pair<std::string, std::string>{"md", "report.md"},
        std::pair<std::string, std::string>{"junit", "report.junit.xml"}}) {
    auto rendered = RenderReportFile(report_path, format);
    Status written =
        rendered ? WriteFileAtomically(options.out_dir / file, *rendered) : rendered.error();
    if (!written.ok()) {
      fmt::print(stderr, "lepton-cert: error: cannot write {}: {}\n", file, written.message());
      return EndRun(kExitInternalError);
    }
  }
  PrintSummary(report, report_path);
  if (interrupted) {
    fmt::print(stderr,
               "lepton-cert: the run was interrupted by {}: the report holds what was measured, "
               "marked incomplete. Go on with: lepton-cert run --resume {}\n",
               interrupted_by, options.out_dir.string());
    return EndRun(kExitSignalBase + certify::InterruptSignals::Received());
  }
  // Complete: nothing is left to resume.
  if (journaling) {
    std::error_code ignored;
    std::filesystem::remove(options.out_dir / reports::kJournalFileName, ignored);
  }
  return EndRun(report.summary.certified ? kExitCertified : kExitNotCertified);
}

}  // namespace lepton::cli
