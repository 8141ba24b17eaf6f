#include "reports/run_journal.h"

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "conformance/core/read_file.h"
#include "conformance/core/sha256.h"
#include "reports/json_limits.h"
#include "reports/json_report.h"

namespace lepton::reports {
namespace {

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

OrderedJson OptionalText(const std::optional<std::string>& text) {
  return text ? OrderedJson(*text) : OrderedJson(nullptr);
}

std::optional<std::string> ReadOptionalText(const Json& value) {
  if (value.is_null()) return std::nullopt;
  return value.get<std::string>();
}

std::string TextOrEmpty(const Json& value) {
  return value.is_null() ? std::string() : value.get<std::string>();
}

// The report writes a non-finite number as null (its reason beside it); it reads back as NaN.
double NumberOrNaN(const Json& value) {
  return value.is_null() ? std::numeric_limits<double>::quiet_NaN() : value.get<double>();
}

// The value behind the reason MetricsJson writes for a non-finite metric.
double NonFiniteFromReason(const std::string& reason) {
  constexpr double kInfinity = std::numeric_limits<double>::infinity();
  if (reason == "non-finite value (" + spec::ValueToString(kInfinity) + ")") return kInfinity;
  if (reason == "non-finite value (" + spec::ValueToString(-kInfinity) + ")") return -kInfinity;
  return std::numeric_limits<double>::quiet_NaN();
}

spec::Value MetricValue(const Json& value) {
  if (value.is_boolean()) return value.get<bool>();
  if (value.is_string()) return value.get<std::string>();
  return value.get<double>();
}

records::EnergyEvidence ReadEnergy(const Json& energy) {
  records::EnergyEvidence evidence;
  evidence.meter = TextOrEmpty(energy.at("meter"));
  if (energy.at("tier").is_string()) {
    const std::string tier = energy.at("tier").get<std::string>();
    evidence.tier = spec::ParseEnergyTier(tier);
    if (!evidence.tier) throw std::invalid_argument("unknown energy tier '" + tier + "'");
  }
  evidence.domains = energy.at("domains").get<std::vector<std::string>>();
  evidence.source = energy.at("source").get<std::string>();
  evidence.method = energy.at("method").get<std::string>();
  evidence.limits = energy.at("limits").get<std::string>();
  evidence.sample_hz = NumberOrNaN(energy.at("sample_hz"));
  evidence.resolution_s = NumberOrNaN(energy.at("resolution_s"));
  evidence.samples = energy.at("samples").get<std::int64_t>();
  evidence.windows = energy.at("windows").get<int>();
  evidence.passes = energy.at("passes").get<int>();
  evidence.covered_s = NumberOrNaN(energy.at("covered_s"));
  evidence.min_region_s = NumberOrNaN(energy.at("min_region_s"));
  if (!energy.at("idle_watts").is_null())
    evidence.idle_watts = energy.at("idle_watts").get<double>();
  evidence.idle_s = NumberOrNaN(energy.at("idle_s"));
  evidence.idle_unavailable_reason = TextOrEmpty(energy.at("idle_unavailable_reason"));
  evidence.idle_included = energy.at("idle_included").get<bool>();
  evidence.not_measured_reason = TextOrEmpty(energy.at("not_measured_reason"));
  return evidence;
}

// A run's artifacts, read back from the files the report names beside the journal.
// runs[].telemetry and workloads[].telemetry as TelemetryJson writes them; absent in reports
// written before telemetry was recorded.
std::optional<records::TelemetrySummary> ReadTelemetry(const Json& parent) {
  if (!parent.contains("telemetry") || parent.at("telemetry").is_null()) return std::nullopt;
  const Json& t = parent.at("telemetry");
  records::TelemetrySummary summary;
  summary.source = t.at("source").get<std::string>();
  summary.sample_hz = NumberOrNaN(t.at("sample_hz"));
  summary.regions = t.at("regions").get<std::int64_t>();
  summary.thermal_or_power_throttled = t.at("thermal_or_power_throttled").get<bool>();
  summary.not_measured_reason = TextOrEmpty(t.at("not_measured_reason"));
  for (const Json& g : t.at("gpus")) {
    records::GpuTelemetry gpu;
    gpu.device = g.at("device").get<std::string>();
    gpu.thermal_or_power_throttled = g.at("thermal_or_power_throttled").get<bool>();
    gpu.reason_samples = g.at("reason_samples").get<std::int64_t>();
    gpu.throttle_not_measured_reason = TextOrEmpty(g.at("throttle_not_measured_reason"));
    for (const Json& r : g.at("throttle_reasons")) {
      gpu.throttle_reasons.push_back({r.at("name").get<std::string>(),
                                      r.at("samples").get<std::int64_t>(),
                                      NumberOrNaN(r.at("share"))});
    }
    for (const Json& f : g.at("fields")) {
      records::TelemetryFieldSummary field;
      field.name = f.at("name").get<std::string>();
      field.unit = f.at("unit").get<std::string>();
      field.samples = f.at("samples").get<std::int64_t>();
      if (field.samples > 0) {
        field.min = NumberOrNaN(f.at("min"));
        field.median = NumberOrNaN(f.at("median"));
        field.max = NumberOrNaN(f.at("max"));
      }
      field.not_measured_reason = TextOrEmpty(f.at("not_measured_reason"));
      gpu.fields.push_back(std::move(field));
    }
    summary.gpus.push_back(std::move(gpu));
  }
  return summary;
}

Status ReadArtifacts(const Json& artifacts, const std::filesystem::path& dir,
                     records::Metrics& metrics) {
  for (const Json& artifact : artifacts) {
    const std::string file = artifact.at("file").get<std::string>();
    // The journal names files beside itself; anything else is not one this tool wrote.
    if (file.empty() || file.find('/') != std::string::npos || file == "." || file == "..") {
      return InvalidArgumentError("artifact file '" + file + "' is not a plain file name");
    }
    LEPTON_ASSIGN_OR_RETURN(std::string bytes, ReadFileCapped(dir / file, kMaxReportFileBytes));
    if (Sha256Hex(bytes) != artifact.at("sha256").get<std::string>()) {
      return InvalidArgumentError("artifact " + (dir / file).string() +
                                  " does not match the SHA-256 the journal recorded");
    }
    metrics.artifacts[artifact.at("name").get<std::string>()] = std::move(bytes);
  }
  return OkStatus();
}

Result<records::WorkloadRecord> ReadWorkload(const Json& w, const std::filesystem::path& dir) {
  records::WorkloadRecord record;
  record.name = w.at("name").get<std::string>();
  record.type = w.at("type").get<std::string>();
  record.device = w.at("device").get<std::string>();
  record.runs_planned = w.at("runs_planned").get<int>();
  record.warmup_runs = w.at("warmup_runs").get<int>();
  record.unavailable_reason = TextOrEmpty(w.at("unavailable_reason"));
  record.error = TextOrEmpty(w.at("error"));
  record.telemetry = ReadTelemetry(w);
  for (const Json& r : w.at("runs")) {
    records::RunRecord run;
    run.index = r.at("index").get<int>();
    run.warmup = r.at("warmup").get<bool>();
    for (const Json& step : r.at("steps")) {
      run.steps.push_back({step.at("name").get<std::string>(), NumberOrNaN(step.at("seconds"))});
    }
    for (const auto& [name, value] : r.at("metrics").items()) {
      if (!value.is_null()) run.metrics.values[name] = MetricValue(value);
    }
    for (const auto& [name, reason] : r.at("not_measured").items()) {
      // The writer adds a reason for every non-finite value; the value itself read as null.
      if (r.at("metrics").contains(name) && r.at("metrics").at(name).is_null()) {
        run.metrics.values[name] = NonFiniteFromReason(reason.get<std::string>());
        continue;
      }
      run.metrics.not_measured[name] = reason.get<std::string>();
    }
    for (const auto& [name, points] : r.at("series").items()) {
      std::vector<double>& series = run.metrics.series[name];
      for (const Json& point : points) series.push_back(NumberOrNaN(point));
    }
    LEPTON_RETURN_IF_ERROR(ReadArtifacts(r.at("artifacts"), dir, run.metrics));
    if (!r.at("energy").is_null()) run.energy = ReadEnergy(r.at("energy"));
    run.telemetry = ReadTelemetry(r);
    run.error = TextOrEmpty(r.at("error"));
    record.runs.push_back(std::move(run));
  }
  return record;
}

}  // namespace

std::string JournalToJson(const RunJournal& journal) {
  const JournalSettings& settings = journal.settings;
  OrderedJson workloads = OrderedJson::array();
  for (const records::WorkloadRecord& record : journal.workloads) {
    workloads.push_back(OrderedJson::parse(WorkloadRecordToJson(record)));
  }
  OrderedJson json{
      {"format", kJournalFormat},
      {"tool", {{"version", journal.tool_version}, {"git_commit", journal.git_commit}}},
      {"settings",
       {{"spec_path", OptionalText(settings.spec_path)},
        {"profile", settings.profile},
        {"runs", settings.runs ? OrderedJson(*settings.runs) : OrderedJson(nullptr)},
        {"threads_per_rank", settings.threads_per_rank ? OrderedJson(*settings.threads_per_rank)
                                                       : OrderedJson(nullptr)},
        {"overlay_path", OptionalText(settings.overlay_path)},
        {"dataset_dirs", settings.dataset_dirs},
        {"sign_key", OptionalText(settings.sign_key)},
        {"energy", settings.energy},
        {"power_log", OptionalText(settings.power_log)},
        {"power_log_source", settings.power_log_source}}},
      {"command_line", journal.command_line},
      {"spec_sha256", journal.spec_sha256},
      {"overlay_sha256",
       journal.overlay_sha256.empty() ? OrderedJson(nullptr) : OrderedJson(journal.overlay_sha256)},
      {"facts", {{"values", journal.facts.values}, {"unknown", journal.facts.unknown_reasons}}},
      {"started_at", journal.started_at},
      {"elapsed_s", journal.elapsed_s},
      {"sessions", journal.sessions},
      {"interruptions", journal.interruptions},
      {"workloads", workloads}};
  return json.dump(2) + "\n";
}

Result<RunJournal> ReadJournal(const std::filesystem::path& dir) {
  const std::filesystem::path path = dir / kJournalFileName;
  std::error_code error;
  if (!std::filesystem::exists(path, error)) {
    return std::unexpected(NotFoundError(path.string() +
                                         ": no journal (only a run of lepton-cert run that was "
                                         "interrupted or is still going leaves one)"));
  }
  LEPTON_ASSIGN_OR_RETURN(const std::string text, ReadFileCapped(path, kMaxReportFileBytes));
  LEPTON_RETURN_IF_ERROR(CheckJsonLimits(text, path.string()));
  const auto invalid = [&](const std::string& what) {
    return std::unexpected(InvalidArgumentError(path.string() + ": " + what));
  };
  try {
    const Json json = Json::parse(text);
    if (!json.is_object() || !json.contains("format") ||
        json.at("format") != std::string(kJournalFormat)) {
      return invalid("not a journal of format " + std::string(kJournalFormat));
    }
    RunJournal journal;
    const Json& settings = json.at("settings");
    journal.settings.spec_path = ReadOptionalText(settings.at("spec_path"));
    journal.settings.profile = settings.at("profile").get<std::string>();
    if (!settings.at("runs").is_null()) journal.settings.runs = settings.at("runs").get<int>();
    if (settings.contains("threads_per_rank") && !settings.at("threads_per_rank").is_null()) {
      journal.settings.threads_per_rank = settings.at("threads_per_rank").get<int>();
    }
    journal.settings.overlay_path = ReadOptionalText(settings.at("overlay_path"));
    journal.settings.dataset_dirs =
        settings.at("dataset_dirs").get<std::map<std::string, std::string>>();
    journal.settings.sign_key = ReadOptionalText(settings.at("sign_key"));
    journal.settings.energy = settings.at("energy").get<std::string>();
    journal.settings.power_log = ReadOptionalText(settings.at("power_log"));
    journal.settings.power_log_source = settings.at("power_log_source").get<std::string>();
    journal.command_line = json.at("command_line").get<std::vector<std::string>>();
    journal.tool_version = json.at("tool").at("version").get<std::string>();
    journal.git_commit = json.at("tool").at("git_commit").get<std::string>();
    journal.spec_sha256 = json.at("spec_sha256").get<std::string>();
    journal.overlay_sha256 = TextOrEmpty(json.at("overlay_sha256"));
    journal.facts.values = json.at("facts").at("values").get<std::map<std::string, double>>();
    journal.facts.unknown_reasons =
        json.at("facts").at("unknown").get<std::map<std::string, std::string>>();
    journal.started_at = json.at("started_at").get<std::string>();
    journal.elapsed_s = json.at("elapsed_s").get<double>();
    journal.sessions = json.at("sessions").get<int>();
    journal.interruptions = json.at("interruptions").get<std::vector<std::string>>();
    for (const Json& workload : json.at("workloads")) {
      auto record = ReadWorkload(workload, dir);
      if (!record) return invalid(record.error().message());
      journal.workloads.push_back(std::move(*record));
    }
    return journal;
  } catch (const Json::exception& exception) {
    return invalid(std::string("malformed: ") + exception.what());
  } catch (const std::invalid_argument& exception) {
    return invalid(exception.what());
  }
}

}  // namespace lepton::reports
