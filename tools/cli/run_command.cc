#include "tools/cli/run_command.h"

#include <fmt/core.h>
#include <unistd.h>

#include <cstdio>
#include <optional>
#include <string>

#include "conformance/judge/verdict.h"
#include "conformance/spec/spec_model.h"
#include "reports/report_model.h"
#include "tools/certify/certify.h"
#include "tools/cli/build_info.h"
#include "tools/cli/exit_codes.h"
#include "tools/cli/hung_device_exit.h"
#include "tools/cli/progress.h"

namespace lepton::cli {
namespace {

// The run on stderr: its first line, warnings, and the progress of the workloads.
class TerminalObserver final : public certify::CertifyObserver {
 public:
  void OnCertifyStart(const certify::RunStart& start) override {
    fmt::print(stderr,
               "lepton-cert {}: spec {} {} ({}), profile {}, {} requirements, {} workloads, {} "
               "rank(s) on {} node(s) ({}), {} CPU thread(s) per rank ({}), energy meter {}\n",
               ToolVersion(), start.spec->id, start.spec->version, start.spec_source,
               start.plan->profile->name, start.plan->requirements.size(),
               start.plan->workloads.size(), start.ranks, start.nodes, start.communicators,
               start.cpu_threads.per_rank, start.cpu_threads.source,
               bench::MeterChoiceName(start.energy));
    // The workloads' times count from here, as the first line says the run starts.
    progress_.emplace(stderr, ::isatty(STDERR_FILENO) != 0);
    if (const reports::RunJournal* earlier = start.resumed) {
      fmt::print(stderr,
                 "lepton-cert: resuming the run started {} ({} workload(s) finished, {} "
                 "earlier session(s))\n",
                 earlier->started_at, earlier->workloads.size(), earlier->sessions);
    }
  }
  void OnNotice(std::string_view message) override {
    fmt::print(stderr, "lepton-cert: {}\n", message);
  }
  void OnWorkloadsDone() override {
    if (progress_) progress_->PrintSummary();
  }

  void OnWorkloadStart(const bench::WorkloadRecord& record) override {
    if (progress_) progress_->OnWorkloadStart(record);
  }
  void OnRunStart(const bench::WorkloadRecord& record, int ordinal, int total,
                  bool warmup) override {
    if (progress_) progress_->OnRunStart(record, ordinal, total, warmup);
  }
  void OnRunEnd(const bench::WorkloadRecord& record, const bench::RunRecord& run) override {
    if (progress_) progress_->OnRunEnd(record, run);
  }
  void OnWorkloadEnd(const bench::WorkloadRecord& record) override {
    if (progress_) progress_->OnWorkloadEnd(record);
  }
  void OnWorkloadReused(const bench::WorkloadRecord& record) override {
    if (progress_) progress_->OnWorkloadReused(record);
  }

 private:
  std::optional<ProgressPrinter> progress_;
};

int FailureExitCode(certify::CertifyFailure::Kind kind) {
  switch (kind) {
    case certify::CertifyFailure::Kind::kInput:
    case certify::CertifyFailure::Kind::kProfileRefused:
      return kExitUsageError;
    case certify::CertifyFailure::Kind::kInternal:
      return kExitInternalError;
  }
  return kExitInternalError;
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
  certify::CertifyOptions options = requested;
  options.tool = {std::string(ToolVersion()), std::string(GitCommit())};
  TerminalObserver observer;
  auto run = certify::Certify(options, observer);
  if (!run) {
    const certify::CertifyFailure& failure = run.error();
    if (!failure.quiet) {
      fmt::print(stderr, "lepton-cert: {}: {}\n",
                 failure.kind == certify::CertifyFailure::Kind::kProfileRefused ? "profile refused"
                                                                                : "error",
                 failure.status.message());
    }
    return FailureExitCode(failure.kind);
  }
  // From here every way out goes through EndRun (hung_device_exit.h): a GPU that hung makes the
  // process end there, before `run` lets go of the devices that would wait for it.
  switch (run->outcome) {
    case certify::Outcome::kRankMeasured:
      return EndRun(kExitCertified);
    case certify::Outcome::kRankFailed:
      return EndRun(kExitInternalError);
    case certify::Outcome::kNotWritten:
      fmt::print(stderr, "lepton-cert: error: {}\n", run->error.message());
      return EndRun(kExitInternalError);
    case certify::Outcome::kInterrupted:
      PrintSummary(*run->report, run->report_path);
      fmt::print(stderr,
                 "lepton-cert: the run was interrupted by {}: the report holds what was measured, "
                 "marked incomplete. Go on with: lepton-cert run --resume {}\n",
                 run->interrupted_by, run->out_dir.string());
      return EndRun(kExitSignalBase + run->interrupting_signal);
    case certify::Outcome::kCertified:
    case certify::Outcome::kNotCertified:
      PrintSummary(*run->report, run->report_path);
      return EndRun(run->outcome == certify::Outcome::kCertified ? kExitCertified
                                                                 : kExitNotCertified);
  }
  return EndRun(kExitInternalError);
}

}  // namespace lepton::cli
