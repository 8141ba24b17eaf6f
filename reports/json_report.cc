#include "reports/json_report.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <type_traits>

#include "conformance/core/atomic_file.h"
#include "conformance/core/sha256.h"

namespace lepton::reports {
namespace {

using Json = nlohmann::ordered_json;

// Non-finite numbers become null; the caller records why.
Json Number(double value) { return std::isfinite(value) ? Json(value) : Json(nullptr); }

Json ValueJson(const spec::Value& value) {
  if (const auto* number = std::get_if<double>(&value)) return Number(*number);
  if (const auto* flag = std::get_if<bool>(&value)) return *flag;
  return std::get<std::string>(value);
}

Json ParamJson(const spec::ParamValue& value) {
  return std::visit(
      [](const auto& v) -> Json {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, double>) {
          return Number(v);
        } else if constexpr (std::is_same_v<T, std::vector<double>>) {
          Json list = Json::array();
          for (double x : v) list.push_back(Number(x));
          return list;
        } else {
          return Json(v);
        }
      },
      value);
}

Json ConditionJson(const spec::Condition& condition) {
  return Json{{"fact", condition.fact},
              {"op", spec::ComparisonSymbol(condition.op)},
              {"value", condition.value},
              {"text", condition.ToString()}};
}

template <typename T>
Json OptionalJson(const std::optional<T>& value) {
  if (!value) return nullptr;
  if constexpr (std::is_floating_point_v<T>) {
    return Number(*value);
  } else {
    return Json(*value);
  }
}

Json TextOrNull(const std::string& text) { return text.empty() ? Json(nullptr) : Json(text); }

// What NVML adds to the CUDA driver's description: `devices` in NVML's order, each with the CUDA
// ordinal at its PCI address (null: CUDA does not see it) and null for every fact NVML would not
// give, named in `unknown` with NVML's reason.
Json NvmlJson(const checks::NvmlProbe& nvml) {
  Json devices = Json::array();
  for (const checks::NvmlDevice& d : nvml.devices) {
    devices.push_back(Json{{"index", d.index},
                           {"cuda_ordinal", OptionalJson(d.cuda_ordinal)},
                           {"name", TextOrNull(d.name)},
                           {"uuid", TextOrNull(d.uuid)},
                           {"pci_bus_id", TextOrNull(d.pci_bus_id)},
                           {"mig_mode", TextOrNull(d.mig_mode)},
                           {"mig_mode_pending", TextOrNull(d.mig_mode_pending)},
                           {"persistence_mode", OptionalJson(d.persistence_mode)},
                           {"power_limit_enforced_w", OptionalJson(d.power_limit_enforced_w)},
                           {"power_limit_default_w", OptionalJson(d.power_limit_default_w)},
                           {"power_limit_min_w", OptionalJson(d.power_limit_min_w)},
                           {"power_limit_max_w", OptionalJson(d.power_limit_max_w)},
                           {"pcie_generation", OptionalJson(d.pcie_generation)},
                           {"pcie_max_generation", OptionalJson(d.pcie_max_generation)},
                           {"pcie_width", OptionalJson(d.pcie_width)},
                           {"pcie_max_width", OptionalJson(d.pcie_max_width)},
                           {"nvlinks_active", OptionalJson(d.nvlinks_active)},
                           {"sm_clock_mhz", OptionalJson(d.sm_clock_mhz)},
                           {"sm_clock_max_mhz", OptionalJson(d.sm_clock_max_mhz)},
                           {"memory_clock_mhz", OptionalJson(d.memory_clock_mhz)},
                           {"memory_clock_max_mhz", OptionalJson(d.memory_clock_max_mhz)},
                           {"ecc_enabled", OptionalJson(d.ecc_enabled)},
                           {"ecc_pending", OptionalJson(d.ecc_pending)},
                           {"unknown", Json(d.unknown)}});
  }
  return Json{{"library", nvml.library},
              {"unavailable_reason", nvml.unavailable_reason},
              {"driver_version", TextOrNull(nvml.driver_version)},
              {"nvml_version", TextOrNull(nvml.nvml_version)},
              {"devices", devices}};
}

Json SystemJson(const checks::SystemDescription& system) {
  Json json;
  json["hostname"] = system.hostname;
  json["os"] = system.os;
  json["kernel"] = system.kernel;
  json["architecture"] = system.architecture;
  json["cpu_model"] = system.cpu_model;
  json["cpu_cores"] = system.cpu_cores;
  json["memory_gib"] = system.memory_gib ? Number(*system.memory_gib) : Json(nullptr);
  json["compiler"] = system.compiler;
  json["build_type"] = system.build_type;
  json["blas"] =
      Json{{"config", system.blas.config},           {"core", system.blas.core},
           {"threads", system.blas.threads},         {"lapack_version", system.blas.lapack_version},
           {"sgemm_exact", system.blas.sgemm_exact}, {"onednn_isa", system.blas.onednn_isa}};
  Json devices = Json::array();
  for (const checks::GpuDevice& device : system.gpus.devices) {
    devices.push_back(
        Json{{"ordinal", device.ordinal},
             {"name", device.name},
             {"pci_bus_id", device.pci_bus_id},
             {"compute_capability", device.compute_capability},
             {"memory_gib", Number(device.memory_gib)},
             {"multiprocessors", device.multiprocessors},
             {"clock_mhz", device.clock_mhz},
             {"memory_clock_mhz", device.memory_clock_mhz},
             {"memory_bus_bits", device.memory_bus_bits},
             {"ecc_enabled", device.ecc_enabled ? Json(*device.ecc_enabled) : Json(nullptr)},
             {"unknown", Json(device.unknown)}});
  }
  json["gpus"] =
      Json{{"count", system.gpus.count},
           {"driver_version",
            system.gpus.driver_version.empty() ? Json(nullptr) : Json(system.gpus.driver_version)},
           {"unavailable_reason", system.gpus.unavailable_reason},
           {"devices", devices},
           {"nvml", NvmlJson(system.gpus.nvml)}};
  const auto library = [](const checks::LibraryVersion& probed) {
    return Json{{"version", probed.version.empty() ? Json(nullptr) : Json(probed.version)},
                {"path", probed.path},
                {"unavailable_reason", probed.unavailable_reason}};
  };
  json["cuda_libraries"] = Json{{"runtime", library(system.cuda_libraries.runtime)},
                                {"cublas", library(system.cuda_libraries.cublas)},
                                {"nccl", library(system.cuda_libraries.nccl)}};
  json["libraries"] = Json(system.libraries);
  json["unknown"] = Json(system.unknown);
  return json;
}

Json MetricsJson(const records::Metrics& metrics) {
  Json values = Json::object();
  Json not_measured = Json(metrics.not_measured);
  for (const auto& [name, value] : metrics.values) {
    values[name] = ValueJson(value);
    if (const auto* number = std::get_if<double>(&value); number && !std::isfinite(*number)) {
      not_measured[name] = "non-finite value (" + spec::ValueToString(*number) + ")";
    }
  }
  Json series = Json::object();
  for (const auto& [name, points] : metrics.series) {
    Json list = Json::array();
    for (double point : points) list.push_back(Number(point));
    series[name] = list;
  }
  return Json{{"values", values}, {"not_measured", not_measured}, {"series", series}};
}

Json ArtifactsJson(const records::WorkloadRecord& record, const records::RunRecord& run) {
  Json artifacts = Json::array();
  for (const auto& [name, bytes] : run.metrics.artifacts) {
    artifacts.push_back(Json{{"name", name},
                             {"file", ArtifactFileName(record.name, run, name)},
                             {"sha256", Sha256Hex(bytes)},
                             {"bytes", bytes.size()}});
  }
  return artifacts;
}

// How a run's energy figures were measured, or why not: shown beside the figures.
Json EnergyJson(const std::optional<records::EnergyEvidence>& energy) {
  if (!energy) return nullptr;
  return Json{{"meter", TextOrNull(energy->meter)},
              {"tier", energy->tier ? Json(spec::EnergyTierName(*energy->tier)) : Json(nullptr)},
              {"domains", energy->domains},
              {"source", energy->source},
              {"method", energy->method},
              {"limits", energy->limits},
              {"sample_hz", Number(energy->sample_hz)},
              {"resolution_s", Number(energy->resolution_s)},
              {"samples", energy->samples},
              {"windows", energy->windows},
              {"passes", energy->passes},
              {"covered_s", Number(energy->covered_s)},
              {"min_region_s", Number(energy->min_region_s)},
              {"idle_watts", energy->idle_watts ? Number(*energy->idle_watts) : Json(nullptr)},
              {"idle_s", Number(energy->idle_s)},
              {"idle_unavailable_reason", TextOrNull(energy->idle_unavailable_reason)},
              {"idle_included", energy->idle_included},
              {"not_measured_reason", TextOrNull(energy->not_measured_reason)}};
}

// What the GPUs did over a timed region (bench/telemetry/): per field min, median, max and the
// readings behind them, the clocks event reasons seen with their share, and the flag.
Json TelemetryJson(const std::optional<records::TelemetrySummary>& telemetry) {
  if (!telemetry) return nullptr;
  Json gpus = Json::array();
  for (const records::GpuTelemetry& gpu : telemetry->gpus) {
    Json fields = Json::array();
    for (const records::TelemetryFieldSummary& field : gpu.fields) {
      const bool measured = field.samples > 0;
      fields.push_back(Json{{"name", field.name},
                            {"unit", field.unit},
                            {"samples", field.samples},
                            {"min", measured ? Number(field.min) : Json(nullptr)},
                            {"median", measured ? Number(field.median) : Json(nullptr)},
                            {"max", measured ? Number(field.max) : Json(nullptr)},
                            {"not_measured_reason", TextOrNull(field.not_measured_reason)}});
    }
    Json reasons = Json::array();
    for (const records::ThrottleReasonSeen& reason : gpu.throttle_reasons) {
      reasons.push_back(Json{
          {"name", reason.name}, {"samples", reason.samples}, {"share", Number(reason.share)}});
    }
    gpus.push_back(
        Json{{"device", gpu.device},
             {"thermal_or_power_throttled", gpu.thermal_or_power_throttled},
             {"reason_samples", gpu.reason_samples},
             {"throttle_reasons", reasons},
             {"throttle_not_measured_reason", TextOrNull(gpu.throttle_not_measured_reason)},
             {"fields", fields}});
  }
  return Json{{"source", telemetry->source},
              {"sample_hz", Number(telemetry->sample_hz)},
              {"regions", telemetry->regions},
              {"thermal_or_power_throttled", telemetry->thermal_or_power_throttled},
              {"not_measured_reason", TextOrNull(telemetry->not_measured_reason)},
              {"gpus", gpus}};
}

Json WorkloadJson(const records::WorkloadRecord& record) {
  Json params = Json::object();
  for (const auto& [path, value] : record.params) params[path] = ParamJson(value);
  Json runs = Json::array();
  for (const records::RunRecord& run : record.runs) {
    Json steps = Json::array();
    for (const records::StepTiming& step : run.steps) {
      steps.push_back(Json{{"name", step.name}, {"seconds", Number(step.seconds)}});
    }
    Json metrics = MetricsJson(run.metrics);
    runs.push_back(Json{{"index", run.index},
                        {"warmup", run.warmup},
                        {"steps", steps},
                        {"metrics", metrics["values"]},
                        {"not_measured", metrics["not_measured"]},
                        {"series", metrics["series"]},
                        {"artifacts", ArtifactsJson(record, run)},
                        {"energy", EnergyJson(run.energy)},
                        {"telemetry", TelemetryJson(run.telemetry)},
                        {"error", run.error.empty() ? Json(nullptr) : Json(run.error)}});
  }
  return Json{{"name", record.name},
              {"type", record.type},
              {"device", record.device},
              {"params", params},
              {"runs_planned", record.runs_planned},
              {"warmup_runs", record.warmup_runs},
              {"unavailable_reason",
               record.unavailable_reason.empty() ? Json(nullptr) : Json(record.unavailable_reason)},
              {"error", record.error.empty() ? Json(nullptr) : Json(record.error)},
              {"telemetry", TelemetryJson(record.telemetry)},
              {"runs", runs}};
}

// What a requirement states for the plan's profile; shared by reports and `spec show`.
Json PlannedRequirementJson(const spec::PlannedRequirement& planned) {
  const spec::Requirement& requirement = *planned.requirement;
  Json methods = Json::array();
  for (spec::EnergyTier tier : requirement.methods) methods.push_back(spec::EnergyTierName(tier));
  return Json{
      {"id", requirement.id},
      {"kind", spec::RequirementKindName(requirement.kind)},
      {"level", spec::LevelName(requirement.level)},
      {"title", requirement.title},
      {"workload", requirement.workload},
      {"metric", requirement.metric},
      {"unit", requirement.unit},
      {"statistic",
       requirement.statistic ? Json(spec::StatisticName(*requirement.statistic)) : Json(nullptr)},
      {"threshold", Json{{"op", spec::ComparisonSymbol(requirement.threshold.op)},
                         {"value", ValueJson(planned.threshold)}}},
      {"runs_required", planned.runs},
      {"applies_if",
       requirement.applies_if ? ConditionJson(*requirement.applies_if) : Json(nullptr)},
      {"headline", requirement.headline},
      {"methods", methods}};
}

Json RequirementJson(const spec::PlannedRequirement& planned, const judge::Verdict& verdict) {
  Json values = Json::array();
  for (const spec::Value& value : verdict.values) values.push_back(ValueJson(value));
  Json json = PlannedRequirementJson(planned);
  json["verdict"] = judge::VerdictStatusName(verdict.status);
  json["reason"] = verdict.reason;
  json["statistic_value"] =
      verdict.statistic_value ? ValueJson(*verdict.statistic_value) : Json(nullptr);
  json["values"] = values;
  json["run_indices"] = verdict.run_indices;
  json["defined_at"] = planned.requirement->location.ToString();
  return json;
}

Json ProfileJson(const spec::Profile& profile) {
  Json preconditions = Json::array();
  for (const spec::Condition& condition : profile.preconditions) {
    preconditions.push_back(ConditionJson(condition));
  }
  const spec::EnergySettings& energy = profile.energy;
  return Json{{"name", profile.name},
              {"title", profile.title},
              {"devices", profile.devices},
              {"scale", profile.scale},
              {"comm", profile.comm},
              {"preconditions", preconditions},
              {"energy", Json{{"min_region_s", Number(energy.min_region_s)},
                              {"idle_s", Number(energy.idle_s)},
                              {"sample_hz", Number(energy.sample_hz)},
                              {"max_gap_s", Number(energy.max_gap_s)}}}};
}

Json SpecJson(const spec::Spec& spec, const std::string& source) {
  Json files = Json::array();
  for (const spec::SpecFile& file : spec.files) {
    files.push_back(
        Json{{"path", file.path}, {"sha256", Sha256Hex(file.bytes)}, {"content", file.bytes}});
  }
  return Json{{"id", spec.id},       {"version", spec.version}, {"status", spec.status},
              {"title", spec.title}, {"sha256", spec.sha256},   {"source", source},
              {"files", files}};
}

Json OverlayJson(const spec::Overlay& overlay) {
  Json thresholds = Json::array();
  for (const spec::ThresholdChange& change : overlay.thresholds) {
    thresholds.push_back(Json{{"requirement", change.requirement_id},
                              {"profile", change.profile},
                              {"value", ValueJson(change.value)}});
  }
  return Json{{"name", overlay.name},
              {"file", overlay.file.path},
              {"sha256", Sha256Hex(overlay.file.bytes)},
              {"content", overlay.file.bytes},
              {"system", Json(overlay.system)},
              {"thresholds", thresholds}};
}

}  // namespace

std::string ReportToJson(const CertificationReport& report) {
  Json json;
  json["schema_version"] = kReportSchemaVersion;
  const judge::Summary& summary = report.summary;
  json["verdict"] = Json{{"result", summary.certified ? "certified" : "not-certified"},
                         {"certified", summary.certified},
                         {"must_passed", summary.must_passed},
                         {"must_total", summary.must_total},
                         {"should_passed", summary.should_passed},
                         {"should_total", summary.should_total},
                         {"not_applicable", summary.not_applicable},
                         {"blocking", summary.blocking}};
  json["tool"] = Json{{"name", report.tool.name},
                      {"version", report.tool.version},
                      {"git_commit", report.tool.git_commit}};
  json["spec"] = SpecJson(*report.spec, report.run.spec_source);
  json["profile"] = ProfileJson(*report.plan->profile);
  json["overlay"] = report.overlay ? OverlayJson(*report.overlay) : Json(nullptr);
  json["run"] = Json{
      {"started_at", report.run.started_at},
      {"finished_at", report.run.finished_at},
      {"duration_s", Number(report.run.duration_s)},
      {"command_line", report.run.command_line},
      {"runs_override", report.run.runs_override ? Json(*report.run.runs_override) : Json(nullptr)},
      {"facts", Json{{"values", Json(report.run.facts.values)},
                     {"unknown", Json(report.run.facts.unknown_reasons)}}},
      {"interrupted", TextOrNull(report.run.interrupted_by)},
      {"sessions", report.run.sessions},
      {"resumed_workloads", report.run.resumed_workloads}};
  if (const records::CpuThreads& threads = report.run.cpu_threads; !threads.source.empty()) {
    json["run"]["cpu_threads"] = Json{{"per_rank", threads.per_rank},
                                      {"rank_zero_alone", threads.rank_zero_alone},
                                      {"source", threads.source},
                                      {"node_cpus", threads.node_cpus},
                                      {"local_ranks", threads.local_ranks}};
  }
  json["system"] = SystemJson(*report.system);
  Json requirements = Json::array();
  for (std::size_t i = 0; i < report.plan->requirements.size(); ++i) {
    requirements.push_back(RequirementJson(report.plan->requirements[i], report.verdicts[i]));
  }
  json["requirements"] = requirements;
  Json workloads = Json::array();
  for (const records::WorkloadRecord& record : *report.workloads) {
    workloads.push_back(WorkloadJson(record));
  }
  json["workloads"] = workloads;
  // Fields a vendor may edit after the run; outside the signature, hashed on their own over
  // their canonical form (keys sorted, compact).
  nlohmann::json fields = nlohmann::json::object();
  if (report.overlay != nullptr) {
    for (const auto& [key, value] : report.overlay->system) fields[key] = value;
  }
  json["descriptive"] =
      Json{{"fields", Json::parse(fields.dump())}, {"sha256", Sha256Hex(fields.dump())}};
  return json.dump(2) + "\n";
}

std::string ArtifactFileName(const std::string& workload, const records::RunRecord& run,
                             const std::string& name) {
  return workload + (run.warmup ? ".warmup" : ".run") + std::to_string(run.index + 1) + "." + name;
}

Status WriteArtifacts(const std::vector<records::WorkloadRecord>& workloads,
                      const std::filesystem::path& dir) {
  for (const records::WorkloadRecord& record : workloads) {
    for (const records::RunRecord& run : record.runs) {
      for (const auto& [name, bytes] : run.metrics.artifacts) {
        LEPTON_RETURN_IF_ERROR(
            WriteFileAtomically(dir / ArtifactFileName(record.name, run, name), bytes));
      }
    }
  }
  return OkStatus();
}

std::string WorkloadRecordToJson(const records::WorkloadRecord& record) {
  return WorkloadJson(record).dump();
}

std::string SystemToJson(const checks::SystemDescription& system) {
  return SystemJson(system).dump(2) + "\n";
}

Status WriteReport(const CertificationReport& report, const std::filesystem::path& path) {
  return WriteFileAtomically(path, ReportToJson(report));
}

std::string PlanToJson(const spec::Spec& spec, const spec::Plan& plan) {
  Json requirements = Json::array();
  for (const spec::PlannedRequirement& planned : plan.requirements) {
    Json json = PlannedRequirementJson(planned);
    json["applicable"] = planned.applicable;
    json["not_applicable_reason"] = planned.not_applicable_reason;
    requirements.push_back(std::move(json));
  }
  Json workloads = Json::array();
  for (const spec::PlannedWorkload& planned : plan.workloads) {
    Json params = Json::object();
    for (const auto& [path, value] : planned.params) params[path] = ParamJson(value);
    workloads.push_back(Json{{"name", planned.workload->name},
                             {"type", planned.workload->type},
                             {"runs", planned.runs},
                             {"warmup_runs", planned.workload->warmup_runs},
                             {"params", params}});
  }
  Json json{{"spec", spec.id},
            {"version", spec.version},
            {"status", spec.status},
            {"sha256", spec.sha256},
            {"profile", ProfileJson(*plan.profile)},
            {"requirements", requirements},
            {"workloads", workloads}};
  return json.dump(2) + "\n";
}

}  // namespace lepton::reports
