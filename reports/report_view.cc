#include "reports/report_view.h"

#include <nlohmann/json.hpp>

#include "reports/json_limits.h"

namespace lepton::reports {
namespace {

using Json = nlohmann::json;

std::string LineColumn(std::string_view text, std::size_t byte) {
  int line = 1;
  int column = 1;
  for (std::size_t i = 0; i < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return std::to_string(line) + ":" + std::to_string(column);
}

// A value as text: strings as they are, numbers in JSON's shortest form, null as "".
std::string Text(const Json& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

class Reader {
 public:
  explicit Reader(std::string name) : name_(std::move(name)) {}

  const Json& At(const Json& object, const std::string& key, const std::string& path) {
    if (!object.is_object() || !object.contains(key)) {
      throw std::runtime_error(path + "." + key + " is missing");
    }
    return object.at(key);
  }
  std::string String(const Json& object, const std::string& key, const std::string& path) {
    const Json& value = At(object, key, path);
    if (!value.is_string() && !value.is_null()) {
      throw std::runtime_error(path + "." + key + " should be a string");
    }
    return Text(value);
  }
  int Int(const Json& object, const std::string& key, const std::string& path) {
    const Json& value = At(object, key, path);
    if (!value.is_number_integer())
      throw std::runtime_error(path + "." + key + " should be an integer");
    return value.get<int>();
  }

 private:
  std::string name_;
};

}  // namespace

Result<ReportView> ParseReportView(std::string_view json, std::string_view name) {
  const std::string where(name);
  LEPTON_RETURN_IF_ERROR(CheckJsonLimits(json, name));
  Json root;
  try {
    root = Json::parse(json.begin(), json.end());
  } catch (const Json::parse_error& error) {
    return std::unexpected(
        InvalidArgumentError(where + ":" + LineColumn(json, error.byte == 0 ? 0 : error.byte - 1) +
                             ": not valid JSON: " + error.what()));
  } catch (const Json::exception& error) {
    // out_of_range 406, a number beyond double (1e999), is not a parse_error (found by
    // report_fuzz: it escaped as an uncaught exception).
    return std::unexpected(InvalidArgumentError(where + ": not valid JSON: " + error.what()));
  }
  ReportView view;
  Reader read(where);
  try {
    view.schema_version = read.String(root, "schema_version", "report");
    if (view.schema_version != "1.0.0") {
      return std::unexpected(InvalidArgumentError(where + ": schema_version '" +
                                                  view.schema_version +
                                                  "' is not one this tool reads (1.0.0)"));
    }
    const Json& verdict = read.At(root, "verdict", "report");
    view.certified = read.At(verdict, "certified", "verdict").get<bool>();
    view.must_passed = read.Int(verdict, "must_passed", "verdict");
    view.must_total = read.Int(verdict, "must_total", "verdict");
    view.should_passed = read.Int(verdict, "should_passed", "verdict");
    view.should_total = read.Int(verdict, "should_total", "verdict");
    view.not_applicable = read.Int(verdict, "not_applicable", "verdict");
    for (const Json& blocking : read.At(verdict, "blocking", "verdict")) {
      view.blocking.push_back(Text(blocking));
    }
    const Json& tool = read.At(root, "tool", "report");
    view.tool_version = read.String(tool, "version", "tool");
    view.git_commit = read.String(tool, "git_commit", "tool");
    const Json& spec = read.At(root, "spec", "report");
    view.spec_id = read.String(spec, "id", "spec");
    view.spec_version = read.String(spec, "version", "spec");
    view.spec_status = read.String(spec, "status", "spec");
    view.spec_sha256 = read.String(spec, "sha256", "spec");
    view.profile = read.String(read.At(root, "profile", "report"), "name", "profile");
    const Json& run = read.At(root, "run", "report");
    view.started_at = read.String(run, "started_at", "run");
    view.finished_at = read.String(run, "finished_at", "run");
    const Json& system = read.At(root, "system", "report");
    view.hostname = read.String(system, "hostname", "system");
    view.os = read.String(system, "os", "system");
    view.cpu_model = read.String(system, "cpu_model", "system");
    view.cpu_cores = read.Int(system, "cpu_cores", "system");
    view.memory_gib = Text(read.At(system, "memory_gib", "system"));
    const Json& blas = read.At(system, "blas", "system");
    view.blas = read.String(blas, "config", "system.blas");
    view.gpus = read.Int(read.At(system, "gpus", "system"), "count", "system.gpus");
    const Json& requirements = read.At(root, "requirements", "report");
    for (std::size_t i = 0; i < requirements.size(); ++i) {
      const Json& r = requirements[i];
      const std::string path = "requirements[" + std::to_string(i) + "]";
      RequirementView requirement;
      requirement.id = read.String(r, "id", path);
      requirement.kind = read.String(r, "kind", path);
      requirement.level = read.String(r, "level", path);
      requirement.title = read.String(r, "title", path);
      requirement.workload = read.String(r, "workload", path);
      requirement.metric = read.String(r, "metric", path);
      requirement.unit = read.String(r, "unit", path);
      requirement.statistic = read.String(r, "statistic", path);
      const Json& threshold = read.At(r, "threshold", path);
      requirement.op = read.String(threshold, "op", path + ".threshold");
      requirement.threshold = Text(read.At(threshold, "value", path + ".threshold"));
      requirement.verdict = read.String(r, "verdict", path);
      requirement.reason = read.String(r, "reason", path);
      requirement.measured = Text(read.At(r, "statistic_value", path));
      for (const Json& value : read.At(r, "values", path))
        requirement.values.push_back(Text(value));
      requirement.runs_required = read.Int(r, "runs_required", path);
      const Json& applies_if = read.At(r, "applies_if", path);
      if (applies_if.is_object()) requirement.applies_if = read.String(applies_if, "text", path);
      view.requirements.push_back(std::move(requirement));
    }
    for (const Json& workload : read.At(root, "workloads", "report")) {
      for (const Json& timed : read.At(workload, "runs", "workloads[]")) {
        if (read.At(timed, "warmup", "runs[]").get<bool>() || !timed.contains("series")) continue;
        for (const auto& [series_name, points] : timed.at("series").items()) {
          SeriesView series{read.String(workload, "name", "workloads[]"),
                            read.Int(timed, "index", "runs[]") + 1,
                            series_name,
                            {}};
          for (const Json& point : points) {
            if (point.is_number()) series.points.push_back(point.get<double>());
          }
          view.series.push_back(std::move(series));
        }
      }
    }
  } catch (const std::exception& error) {
    return std::unexpected(InvalidArgumentError(where + ": " + error.what()));
  }
  return view;
}

}  // namespace lepton::reports
