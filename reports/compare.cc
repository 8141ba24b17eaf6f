#include "reports/compare.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "conformance/core/statistics.h"
#include "conformance/judge/significance.h"
#include "conformance/spec/energy_metrics.h"
#include "conformance/spec/workload_types.h"

namespace lepton::reports {
namespace {

using Json = nlohmann::json;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::uint64_t kBootstrapSeed = 20261123;  // fixed: the same reports give the same table

struct WorkloadSamples {
  std::string type;
  Json params;
  std::map<std::string, std::vector<double>> values;  // metric -> timed runs' values
  // How the timed runs' energy figures were measured: "tier meter (domains)" of each run.
  std::set<std::string> energy_methods;
};

struct ReportSamples {
  std::string spec;  // "id version"
  std::string spec_sha256;
  std::string profile;
  std::map<std::string, WorkloadSamples> workloads;
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> bound_ops;
  std::map<std::pair<std::string, std::string>, std::string> units;
};

const Json& Field(const Json& object, const char* key, const std::string& path) {
  if (!object.is_object() || !object.contains(key)) {
    throw std::runtime_error(path + "." + key + " is missing");
  }
  return object.at(key);
}

std::string StringField(const Json& object, const char* key, const std::string& path) {
  const Json& value = Field(object, key, path);
  if (!value.is_string()) throw std::runtime_error(path + "." + key + " should be a string");
  return value.get<std::string>();
}

// "on-die-counter rapl (package-0, dram-0)": two figures compare only when measured alike.
std::string EnergyMethod(const Json& energy) {
  if (!energy.at("tier").is_string()) return "not measured";
  std::string method =
      energy.at("tier").get<std::string>() + " " + energy.at("meter").get<std::string>() + " (";
  for (const Json& domain : energy.at("domains")) {
    method += (method.back() == '(' ? "" : ", ") + domain.get<std::string>();
  }
  return method + ")";
}

std::string Join(const std::set<std::string>& items) {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : "; ") + item;
  return text;
}

Result<ReportSamples> ReadSamples(std::string_view text, std::string_view name) {
  const std::string where(name);
  Json root;
  try {
    root = Json::parse(text.begin(), text.end());
  } catch (const Json::parse_error& error) {
    return std::unexpected(InvalidArgumentError(where + ": not valid JSON: " + error.what()));
  }
  ReportSamples samples;
  try {
    const Json& spec = Field(root, "spec", "report");
    samples.spec = StringField(spec, "id", "spec");
    samples.spec += " " + StringField(spec, "version", "spec");
    samples.spec_sha256 = StringField(spec, "sha256", "spec");
    samples.profile = StringField(Field(root, "profile", "report"), "name", "profile");
    const Json& requirements = Field(root, "requirements", "report");
    for (std::size_t i = 0; i < requirements.size(); ++i) {
      const std::string path = "requirements[" + std::to_string(i) + "]";
      const Json& requirement = requirements[i];
      const auto key = std::make_pair(StringField(requirement, "workload", path),
                                      StringField(requirement, "metric", path));
      samples.bound_ops[key].push_back(
          StringField(Field(requirement, "threshold", path), "op", path + ".threshold"));
      samples.units[key] = StringField(requirement, "unit", path);
    }
    const Json& workloads = Field(root, "workloads", "report");
    for (std::size_t i = 0; i < workloads.size(); ++i) {
      const std::string path = "workloads[" + std::to_string(i) + "]";
      const Json& workload = workloads[i];
      WorkloadSamples& entry = samples.workloads[StringField(workload, "name", path)];
      entry.type = StringField(workload, "type", path);
      entry.params = Field(workload, "params", path);
      const Json& runs = Field(workload, "runs", path);
      for (std::size_t r = 0; r < runs.size(); ++r) {
        const std::string run_path = path + ".runs[" + std::to_string(r) + "]";
        const Json& run = runs[r];
        if (Field(run, "warmup", run_path).get<bool>() ||
            !Field(run, "error", run_path).is_null()) {
          continue;
        }
        for (const auto& [metric, value] : Field(run, "metrics", run_path).items()) {
          // Booleans and strings (versions, digests) have no size to compare.
          if (value.is_number()) entry.values[metric].push_back(value.get<double>());
        }
        if (run.contains("energy") && run.at("energy").is_object()) {
          entry.energy_methods.insert(EnergyMethod(run.at("energy")));
        }
      }
    }
  } catch (const std::exception& error) {
    return std::unexpected(InvalidArgumentError(where + ": " + error.what()));
  }
  return samples;
}

// "lower", "higher" or "" with the reason in `how`.
std::string BetterDirection(const ReportSamples& report, const std::string& workload,
                            const std::string& metric, const std::string& unit, std::string& how) {
  const auto ops = report.bound_ops.find({workload, metric});
  if (ops != report.bound_ops.end()) {
    bool upper = false;
    bool lower = false;
    for (const std::string& op : ops->second) {
      upper = upper || op == "<=" || op == "<";
      lower = lower || op == ">=" || op == ">";
    }
    if (upper != lower) {
      how = "direction from the spec's " + std::string(upper ? "upper" : "lower") + " bound";
      return upper ? "lower" : "higher";
    }
  }
  if (unit == "s" || unit == "ms" || unit == "us") {
    how = "direction from the unit (a time)";
    return "lower";
  }
  if (unit.size() > 2 && unit.ends_with("/s")) {
    how = "direction from the unit (a rate)";
    return "higher";
  }
  how = "no requirement bounds it and its unit (" + unit + ") does not say which way is better";
  return "";
}

std::string MetricUnit(const ReportSamples& report, const std::string& workload_type,
                       const std::string& workload, const std::string& metric) {
  if (const auto it = report.units.find({workload, metric}); it != report.units.end()) {
    return it->second;
  }
  if (const spec::WorkloadType* type = spec::FindWorkloadType(workload_type)) {
    if (const spec::MetricSchema* schema = spec::FindMetric(*type, metric)) {
      return std::string(schema->unit);
    }
  }
  return "";
}

std::string Percent(double fraction) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g%%", fraction * 100);
  return text;
}

void Judge(MetricComparison& row, const CompareOptions& options) {
  const int n_base = static_cast<int>(row.baseline.size());
  const int n_cand = static_cast<int>(row.candidate.size());
  row.baseline_median = *stats::Median(row.baseline);
  row.candidate_median = *stats::Median(row.candidate);
  row.change = row.change_low = row.change_high = kNaN;
  if (row.baseline_median == 0 && row.candidate_median == 0) {
    row.verdict = ChangeVerdict::kNoChange;
    row.note = "both medians are 0";
    return;
  }
  if (row.baseline_median == 0) {
    row.verdict = ChangeVerdict::kNotComparable;
    row.note = "the baseline median is 0: no relative change";
    return;
  }
  row.change = row.candidate_median / row.baseline_median - 1;
  if (auto interval =
          stats::BootstrapRelativeChangeOfMedians(row.baseline, row.candidate, 1 - options.alpha,
                                                  options.bootstrap_resamples, kBootstrapSeed)) {
    row.change_low = interval->low;
    row.change_high = interval->high;
  }
  const auto test = stats::MannWhitneyU(row.baseline, row.candidate);
  row.p_value = test->p_value;
  row.p_exact = test->exact;
  if (row.better.empty()) {
    row.verdict = ChangeVerdict::kDirectionUnknown;
    return;
  }
  const double smallest_p = stats::SmallestTwoSidedP(n_base, n_cand);
  if (smallest_p >= options.alpha) {
    row.verdict = ChangeVerdict::kUndecided;
    char text[160];
    std::snprintf(text, sizeof text,
                  "too few runs to decide: with %d and %d runs the smallest possible p is %.3g, "
                  "not below alpha %.3g",
                  n_base, n_cand, smallest_p, options.alpha);
    row.note = text;
    return;
  }
  const double worse = row.better == "lower" ? row.change : -row.change;
  if (row.p_value >= options.alpha) {
    row.verdict = ChangeVerdict::kNoChange;
  } else if (worse > options.max_regression) {
    row.verdict = ChangeVerdict::kRegression;
    row.note =
        "worse by " + Percent(worse) + ", beyond the allowed " + Percent(options.max_regression);
  } else if (worse < 0) {
    row.verdict = ChangeVerdict::kImprovement;
  } else {
    row.verdict = ChangeVerdict::kWithinMargin;
  }
}

std::string ParamsDifference(const Json& baseline, const Json& candidate) {
  std::vector<std::string> keys;
  for (const auto& [key, value] : baseline.items()) {
    if (!candidate.contains(key) || candidate.at(key) != value) keys.push_back(key);
  }
  for (const auto& [key, value] : candidate.items()) {
    if (!baseline.contains(key)) keys.push_back(key);
  }
  std::string text;
  for (const std::string& key : keys) text += (text.empty() ? "" : ", ") + key;
  return text;
}

}  // namespace

std::string_view ChangeVerdictName(ChangeVerdict verdict) {
  switch (verdict) {
    case ChangeVerdict::kRegression:
      return "REGRESSION";
    case ChangeVerdict::kImprovement:
      return "improved";
    case ChangeVerdict::kWithinMargin:
      return "within margin";
    case ChangeVerdict::kNoChange:
      return "no significant change";
    case ChangeVerdict::kUndecided:
      return "undecided";
    case ChangeVerdict::kDirectionUnknown:
      return "not judged";
    case ChangeVerdict::kNotComparable:
      return "not comparable";
  }
  return "?";
}

Result<Comparison> CompareReports(std::string_view baseline_json, std::string_view baseline_name,
                                  std::string_view candidate_json, std::string_view candidate_name,
                                  const CompareOptions& options) {
  if (!(options.alpha > 0 && options.alpha < 1) || !(options.max_regression >= 0)) {
    return std::unexpected(
        InvalidArgumentError("--alpha must lie in (0, 1) and --max-regression be >= 0"));
  }
  LEPTON_ASSIGN_OR_RETURN(const ReportSamples baseline, ReadSamples(baseline_json, baseline_name));
  LEPTON_ASSIGN_OR_RETURN(const ReportSamples candidate,
                          ReadSamples(candidate_json, candidate_name));
  Comparison comparison;
  comparison.baseline_name = baseline_name;
  comparison.candidate_name = candidate_name;
  comparison.options = options;
  if (baseline.spec != candidate.spec || baseline.spec_sha256 != candidate.spec_sha256) {
    comparison.warnings.push_back(
        "different specs: baseline " + baseline.spec + " (" + baseline.spec_sha256.substr(0, 12) +
        "), candidate " + candidate.spec + " (" + candidate.spec_sha256.substr(0, 12) + ")");
  }
  if (baseline.profile != candidate.profile) {
    comparison.warnings.push_back("different profiles: baseline " + baseline.profile +
                                  ", candidate " + candidate.profile);
  }
  for (const auto& [name, base] : baseline.workloads) {
    const auto found = candidate.workloads.find(name);
    if (found == candidate.workloads.end()) {
      comparison.warnings.push_back("workload " + name + " is only in the baseline");
      continue;
    }
    const WorkloadSamples& cand = found->second;
    const std::string params_differ = ParamsDifference(base.params, cand.params);
    for (const auto& [metric, base_values] : base.values) {
      const auto cand_values = cand.values.find(metric);
      if (cand_values == cand.values.end()) {
        std::string warning = name;
        warning += "." + metric + " was measured in the baseline only";
        comparison.warnings.push_back(std::move(warning));
        continue;
      }
      MetricComparison row;
      row.workload = name;
      row.metric = metric;
      row.unit = MetricUnit(candidate, cand.type, name, metric);
      row.better = BetterDirection(candidate, name, metric, row.unit, row.note);
      row.baseline = base_values;
      row.candidate = cand_values->second;
      // Joules from a wall analyser and from a GPU counter measure different things.
      const bool methods_differ =
          spec::IsEnergyMetric(metric) && base.energy_methods != cand.energy_methods;
      if (base.type != cand.type || !params_differ.empty() || methods_differ) {
        row.baseline_median = *stats::Median(row.baseline);
        row.candidate_median = *stats::Median(row.candidate);
        row.change = row.change_low = row.change_high = kNaN;
        row.verdict = ChangeVerdict::kNotComparable;
        if (base.type != cand.type) {
          row.note = "workload types differ";
        } else if (!params_differ.empty()) {
          row.note = "parameters differ: " + params_differ;
        } else {
          row.note = "energy measured differently: " + Join(base.energy_methods) +
                     " in the baseline, " + Join(cand.energy_methods) + " in the candidate";
        }
      } else {
        Judge(row, options);
      }
      comparison.regressions += row.verdict == ChangeVerdict::kRegression ? 1 : 0;
      comparison.undecided += row.verdict == ChangeVerdict::kUndecided ? 1 : 0;
      comparison.metrics.push_back(std::move(row));
    }
  }
  for (const auto& [name, cand] : candidate.workloads) {
    if (!baseline.workloads.contains(name)) {
      comparison.warnings.push_back("workload " + name + " is only in the candidate");
    }
  }
  return comparison;
}

}  // namespace lepton::reports
