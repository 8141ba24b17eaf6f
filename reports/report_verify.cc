#include "reports/report_verify.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "conformance/checks/telemetry_fields.h"
#include "conformance/core/embedded_file.h"
#include "conformance/core/sha256.h"
#include "conformance/judge/verdict.h"
#include "conformance/spec/overlay.h"
#include "conformance/spec/resolve.h"
#include "conformance/spec/spec_loader.h"
#include "conformance/spec/telemetry_metrics.h"
#include "reports/json_limits.h"
#include "reports/report_document_data.h"
#include "reports/signing.h"

namespace lepton::reports {
namespace {

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

// The compact dump of `report` without "signature" and "descriptive", written member by member
// (keys are already sorted) instead of dumping a pruned deep copy: the same bytes, one copy less.
std::string CanonicalCore(const Json& report) {
  if (!report.is_object()) return report.dump();
  std::string canonical = "{";
  for (const auto& [key, value] : report.items()) {
    if (key == "signature" || key == "descriptive") continue;
    if (canonical.size() > 1) canonical += ',';
    canonical += Json(key).dump();
    canonical += ':';
    canonical += value.dump();
  }
  return canonical + "}";
}

Result<Json> ParseJson(std::string_view text) {
  LEPTON_RETURN_IF_ERROR(CheckJsonLimits(text, "report"));
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const Json::exception& error) {
    // Not only parse_error: out_of_range 406 for a number beyond double (1e999).
    return std::unexpected(InvalidArgumentError(std::string("not valid JSON: ") + error.what()));
  }
}

std::string ValueText(const Json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

Json ToJsonValue(const spec::Value& value) {
  if (const auto* number = std::get_if<double>(&value)) {
    return std::isfinite(*number) ? Json(*number) : Json(nullptr);
  }
  if (const auto* flag = std::get_if<bool>(&value)) return *flag;
  return std::get<std::string>(value);
}

// The measured value of a metric as the judge sees it.
spec::Value ToValue(const Json& value) {
  if (value.is_boolean()) return value.get<bool>();
  if (value.is_string()) return value.get<std::string>();
  return value.get<double>();
}

std::vector<records::WorkloadRecord> ReadWorkloads(const Json& report) {
  std::vector<records::WorkloadRecord> records;
  for (const Json& w : report.at("workloads")) {
    records::WorkloadRecord record;
    record.name = w.at("name").get<std::string>();
    record.type = w.at("type").get<std::string>();
    if (!w.at("unavailable_reason").is_null()) {
      record.unavailable_reason = w.at("unavailable_reason").get<std::string>();
    }
    if (!w.at("error").is_null()) record.error = w.at("error").get<std::string>();
    for (const Json& r : w.at("runs")) {
      records::RunRecord run;
      run.index = r.at("index").get<int>();
      run.warmup = r.at("warmup").get<bool>();
      if (!r.at("error").is_null()) run.error = r.at("error").get<std::string>();
      for (const auto& [name, reason] : r.at("not_measured").items()) {
        run.metrics.not_measured[name] = reason.get<std::string>();
      }
      for (const auto& [name, value] : r.at("metrics").items()) {
        if (value.is_null()) continue;  // non-finite: its reason is in not_measured
        run.metrics.values[name] = ToValue(value);
      }
      // The method an energy requirement accepts or refuses, as recorded beside the figures.
      if (r.contains("energy") && r.at("energy").is_object()) {
        const Json& energy = r.at("energy");
        records::EnergyEvidence evidence;
        if (energy.at("meter").is_string()) evidence.meter = energy.at("meter").get<std::string>();
        if (energy.at("tier").is_string()) {
          const std::string tier = energy.at("tier").get<std::string>();
          evidence.tier = spec::ParseEnergyTier(tier);
          if (!evidence.tier) throw std::runtime_error("unknown energy tier '" + tier + "'");
        }
        run.energy = std::move(evidence);
      }
      record.runs.push_back(std::move(run));
    }
    records.push_back(std::move(record));
  }
  return records;
}

// A telemetry summary's flags against the reasons it lists: a GPU is thermal-or-power throttled
// exactly when one of its reasons is a thermal or power one, the summary when one of its GPUs is.
// Appends a failed check per flag that disagrees; returns their number.
int CheckTelemetryFlags(const Json& telemetry, const std::string& field,
                        std::vector<VerifyCheck>& checks) {
  int mismatches = 0;
  bool any = false;
  const Json& gpus = telemetry.at("gpus");
  for (std::size_t g = 0; g < gpus.size(); ++g) {
    bool throttled = false;
    for (const Json& reason : gpus[g].at("throttle_reasons")) {
      throttled |= checks::IsThermalOrPowerReasonName(reason.at("name").get<std::string>());
    }
    any |= throttled;
    if (gpus[g].at("thermal_or_power_throttled").get<bool>() != throttled) {
      ++mismatches;
      checks.push_back({false, field + ".gpus[" + std::to_string(g) + "]",
                        std::string("thermal_or_power_throttled is ") +
                            (throttled ? "false" : "true") + " but the reasons listed say " +
                            (throttled ? "true" : "false")});
    }
  }
  if (telemetry.at("thermal_or_power_throttled").get<bool>() != any) {
    ++mismatches;
    checks.push_back({false, field + ".thermal_or_power_throttled",
                      std::string("is ") + (any ? "false" : "true") +
                          " but its GPUs' reasons say " + (any ? "true" : "false")});
  }
  return mismatches;
}

// Every telemetry summary's flags, and each run's gpu_throttled against its run's telemetry (the
// metric a requirement judges, so a report cannot pass one with throttled readings beside it).
// Reports written before telemetry was recorded have none to check.
int CheckTelemetry(const Json& report, std::vector<VerifyCheck>& checks) {
  int mismatches = 0;
  const Json& workloads = report.at("workloads");
  const std::string metric(spec::kGpuThrottled);
  for (std::size_t w = 0; w < workloads.size(); ++w) {
    const std::string field = "workloads[" + std::to_string(w) + "]";
    const Json& workload = workloads[w];
    if (workload.contains("telemetry") && workload.at("telemetry").is_object()) {
      mismatches += CheckTelemetryFlags(workload.at("telemetry"), field + ".telemetry", checks);
    }
    const Json& runs = workload.at("runs");
    for (std::size_t r = 0; r < runs.size(); ++r) {
      const Json& run = runs[r];
      if (!run.contains("telemetry") || !run.at("telemetry").is_object()) continue;
      const std::string run_field = field + ".runs[" + std::to_string(r) + "]";
      mismatches += CheckTelemetryFlags(run.at("telemetry"), run_field + ".telemetry", checks);
      const Json& metrics = run.at("metrics");
      if (!metrics.contains(metric) || !metrics.at(metric).is_boolean()) continue;
      const bool flag = run.at("telemetry").at("thermal_or_power_throttled").get<bool>();
      if (metrics.at(metric).get<bool>() != flag) {
        ++mismatches;
        std::string where = run_field;
        where += ".metrics.";
        where += metric;
        std::string detail = metrics.at(metric).dump();
        detail += " in the report, the run's telemetry says ";
        detail += flag ? "true" : "false";
        checks.push_back({false, std::move(where), std::move(detail)});
      }
    }
  }
  return mismatches;
}

// The spec exactly as embedded in the report; from `cache` when its files matched their digest.
Result<std::shared_ptr<const spec::Spec>> EmbeddedSpec(const Json& report, bool files_verified,
                                                       SpecCache* cache) {
  const std::string digest = report.at("spec").at("sha256").get<std::string>();
  if (files_verified && cache != nullptr) {
    if (auto cached = cache->Find(digest)) return cached;
  }
  std::vector<std::string> paths;
  std::vector<std::string> contents;
  for (const Json& file : report.at("spec").at("files")) {
    paths.push_back(file.at("path").get<std::string>());
    contents.push_back(file.at("content").get<std::string>());
  }
  std::vector<EmbeddedFile> files;
  for (std::size_t i = 0; i < paths.size(); ++i) files.push_back({paths[i], contents[i]});
  LEPTON_ASSIGN_OR_RETURN(spec::Spec loaded, spec::LoadSpec(spec::EmbeddedSource(files),
                                                            paths.empty() ? "" : paths.front()));
  auto shared = std::make_shared<const spec::Spec>(std::move(loaded));
  if (files_verified && cache != nullptr) cache->Store(digest, shared);
  return shared;
}

void RecomputeVerdicts(const Json& report, bool files_verified, SpecCache* cache,
                       std::vector<VerifyCheck>& checks) {
  auto embedded = EmbeddedSpec(report, files_verified, cache);
  if (!embedded) {
    checks.push_back(
        {false, "spec", "the embedded spec does not load: " + embedded.error().message()});
    return;
  }
  std::shared_ptr<const spec::Spec> spec = *embedded;
  const Json& overlay = report.at("overlay");
  if (!overlay.is_null()) {
    auto parsed = spec::ParseOverlay(overlay.at("content").get<std::string>(),
                                     overlay.at("file").get<std::string>());
    // The overlay tightens a copy: the cached spec stays as released.
    auto tightened = std::make_shared<spec::Spec>(*spec);
    Status applied = parsed ? spec::ApplyOverlay(*parsed, *tightened) : parsed.error();
    spec = tightened;
    if (!applied.ok()) {
      checks.push_back(
          {false, "overlay", "the embedded overlay does not apply: " + applied.message()});
      return;
    }
  }
  // The facts the run planned with (a condition's truth is part of what was certified).
  spec::Facts facts;
  for (const auto& [name, value] : report.at("run").at("facts").at("values").items()) {
    facts.values[name] = value.get<double>();
  }
  for (const auto& [name, reason] : report.at("run").at("facts").at("unknown").items()) {
    facts.unknown_reasons[name] = reason.get<std::string>();
  }
  spec::PlanOptions options;
  options.enforce_preconditions = false;
  if (!report.at("run").at("runs_override").is_null()) {
    options.runs_override = report.at("run").at("runs_override").get<int>();
  }
  auto plan =
      spec::PlanRun(*spec, report.at("profile").at("name").get<std::string>(), facts, options);
  if (!plan) {
    checks.push_back({false, "profile", "cannot plan the profile: " + plan.error().message()});
    return;
  }
  const std::vector<records::WorkloadRecord> workloads = ReadWorkloads(report);
  const Json& requirements = report.at("requirements");
  if (requirements.size() != plan->requirements.size()) {
    checks.push_back({false, "requirements",
                      std::to_string(requirements.size()) +
                          " requirements in the report, the spec "
                          "and profile give " +
                          std::to_string(plan->requirements.size())});
    return;
  }
  // Judged exactly as the run judged them (certify::Certify calls the same JudgeAll).
  const std::vector<judge::Verdict> verdicts = judge::JudgeAll(*plan, workloads);
  int mismatches = 0;
  for (std::size_t i = 0; i < plan->requirements.size(); ++i) {
    const spec::PlannedRequirement& planned = plan->requirements[i];
    const judge::Verdict& verdict = verdicts[i];
    const Json& written = requirements[i];
    const std::string field = "requirements[" + std::to_string(i) + "]";
    const std::string id = written.at("id").get<std::string>();
    const auto mismatch = [&](const std::string& what, const std::string& in_report,
                              const std::string& recomputed) {
      ++mismatches;
      checks.push_back({false, field + "." + what,
                        id + ": " + in_report + " in the report, " + recomputed + " recomputed"});
    };
    if (id != verdict.requirement_id) {
      mismatch("id", id, verdict.requirement_id);
      continue;
    }
    const std::string status(judge::VerdictStatusName(verdict.status));
    if (written.at("verdict").get<std::string>() != status) {
      mismatch("verdict", written.at("verdict").get<std::string>(), status);
    }
    const std::string statistic =
        verdict.statistic_value ? ValueText(Json(ToJsonValue(*verdict.statistic_value))) : "null";
    if (ValueText(written.at("statistic_value")) != statistic) {
      mismatch("statistic_value", ValueText(written.at("statistic_value")), statistic);
    }
    if (written.at("headline").get<bool>() != planned.requirement->headline) {
      mismatch("headline", written.at("headline").dump(),
               planned.requirement->headline ? "true" : "false");
    }
    if (ValueText(written.at("threshold").at("value")) !=
        ValueText(Json(ToJsonValue(planned.threshold)))) {
      mismatch("threshold", ValueText(written.at("threshold").at("value")),
               ValueText(Json(ToJsonValue(planned.threshold))));
    }
  }
  mismatches += CheckTelemetry(report, checks);
  const Json& run = report.at("run");
  const std::string interrupted = run.contains("interrupted") && run.at("interrupted").is_string()
                                      ? "interrupted by " + run.at("interrupted").get<std::string>()
                                      : std::string();
  const judge::Summary summary = judge::Summarize(plan->requirements, verdicts, interrupted);
  if (report.at("verdict").at("certified").get<bool>() != summary.certified) {
    ++mismatches;
    checks.push_back({false, "verdict.certified",
                      std::string("the report says ") +
                          (summary.certified ? "not certified" : "certified") +
                          ", the recomputed verdicts say " +
                          (summary.certified ? "certified" : "not certified")});
  }
  if (mismatches == 0) {
    checks.push_back({true, "requirements",
                      "all " + std::to_string(verdicts.size()) +
                          " verdicts and the overall verdict recomputed from the raw "
                          "measurements match"});
  }
}

std::vector<VerifyCheck> VerifyParsed(const Json& report,
                                      const std::vector<std::string>& trusted_public_hex,
                                      SpecCache* cache);

}  // namespace

Result<std::string> SignReport(std::string_view report_json, const std::string& secret_hex,
                               const std::string& public_hex) {
  LEPTON_RETURN_IF_ERROR(CheckJsonLimits(report_json, "report"));
  OrderedJson ordered;
  try {
    ordered = OrderedJson::parse(report_json.begin(), report_json.end());
  } catch (const OrderedJson::exception& error) {
    return std::unexpected(InvalidArgumentError(std::string("not valid JSON: ") + error.what()));
  }
  LEPTON_ASSIGN_OR_RETURN(const Json report, ParseJson(report_json));
  const std::string canonical = CanonicalCore(report);
  LEPTON_ASSIGN_OR_RETURN(const std::string signature, Sign(canonical, secret_hex));
  ordered["signature"] = OrderedJson{{"algorithm", "ed25519"},
                                     {"public_key", public_hex},
                                     {"signed_sha256", Sha256Hex(canonical)},
                                     {"signature", signature}};
  return ordered.dump(2) + "\n";
}

std::shared_ptr<const spec::Spec> SpecCache::Find(const std::string& digest) const {
  const std::lock_guard lock(mutex_);
  const auto found = specs_.find(digest);
  return found == specs_.end() ? nullptr : found->second;
}

void SpecCache::Store(const std::string& digest, std::shared_ptr<const spec::Spec> spec) {
  const std::lock_guard lock(mutex_);
  specs_.emplace(digest, std::move(spec));
}

Result<std::vector<VerifyCheck>> VerifyReport(std::string_view report_json,
                                              const std::vector<std::string>& trusted_public_hex,
                                              SpecCache* cache) {
  LEPTON_ASSIGN_OR_RETURN(const Json report, ParseJson(report_json));
  return VerifyParsed(report, trusted_public_hex, cache);
}

std::vector<VerifyCheck> VerifyReport(const ReportDocument& report,
                                      const std::vector<std::string>& trusted_public_hex,
                                      SpecCache* cache) {
  return VerifyParsed(report.data().root, trusted_public_hex, cache);
}

namespace {

std::vector<VerifyCheck> VerifyParsed(const Json& report,
                                      const std::vector<std::string>& trusted_public_hex,
                                      SpecCache* cache) {
  std::vector<VerifyCheck> checks;
  try {
    // Signature.
    if (!report.contains("signature") || !report.at("signature").is_object()) {
      checks.push_back({false, "signature", "the report is not signed"});
    } else {
      const Json& signature = report.at("signature");
      const std::string public_key = signature.at("public_key").get<std::string>();
      const std::string canonical = CanonicalCore(report);
      const bool trusted = std::find(trusted_public_hex.begin(), trusted_public_hex.end(),
                                     public_key) != trusted_public_hex.end();
      if (!trusted) {
        checks.push_back({false, "signature.public_key",
                          "signed by " + public_key.substr(0, 16) + "..., not a trusted key"});
      } else if (signature.at("signed_sha256").get<std::string>() != Sha256Hex(canonical)) {
        checks.push_back({false, "signature.signed_sha256",
                          "the signed content changed after signing (digest differs)"});
      } else if (!Verify(canonical, signature.at("signature").get<std::string>(), public_key)) {
        checks.push_back({false, "signature.signature", "Ed25519 signature does not verify"});
      } else {
        checks.push_back({true, "signature", "Ed25519 signature by a trusted key verifies"});
      }
    }
    // Spec files and digest.
    std::vector<spec::SpecFile> files;
    bool files_ok = true;
    const Json& spec = report.at("spec");
    for (std::size_t i = 0; i < spec.at("files").size(); ++i) {
      const Json& file = spec.at("files")[i];
      const std::string content = file.at("content").get<std::string>();
      if (Sha256Hex(content) != file.at("sha256").get<std::string>()) {
        files_ok = false;
        checks.push_back(
            {false, "spec.files[" + std::to_string(i) + "]",
             file.at("path").get<std::string>() + ": content differs from its digest"});
      }
      files.push_back({file.at("path").get<std::string>(), content});
    }
    if (spec::SpecDigest(files) != spec.at("sha256").get<std::string>()) {
      files_ok = false;
      checks.push_back({false, "spec.sha256", "the embedded spec files do not give this digest"});
    }
    if (files_ok) {
      checks.push_back({true, "spec",
                        "embedded spec matches its digest " +
                            spec.at("sha256").get<std::string>().substr(0, 16)});
    }
    // Descriptive fields (editable after the run, hashed on their own).
    if (report.contains("descriptive")) {
      const Json& descriptive = report.at("descriptive");
      const bool same =
          Sha256Hex(descriptive.at("fields").dump()) == descriptive.at("sha256").get<std::string>();
      checks.push_back({same, "descriptive.sha256",
                        same ? "descriptive fields match their hash"
                             : "descriptive fields were edited after their hash was taken"});
    }
    RecomputeVerdicts(report, files_ok, cache, checks);
  } catch (const std::exception& error) {
    checks.push_back({false, "report", std::string("malformed report: ") + error.what()});
  }
  return checks;
}

}  // namespace

}  // namespace lepton::reports
