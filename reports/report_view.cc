#include "reports/report_view.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <map>
#include <nlohmann/json.hpp>
#include <vector>

#include "conformance/records/cpu_threads.h"
#include "reports/report_document_data.h"

namespace lepton::reports {
namespace {

using Json = nlohmann::json;

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

// "1 CPU", "2 CPUs".
std::string Count(int count, const std::string& noun) {
  return std::to_string(count) + " " + noun + (count == 1 ? "" : "s");
}

// run.cpu_threads in words (ReportView::cpu_threads). The source is said as what it means for
// the count; the node's CPUs and ranks follow, since they are what a reader checks it against.
std::string DescribeCpuThreads(Reader& read, const Json& threads) {
  const std::string path = "run.cpu_threads";
  if (!threads.is_object()) throw std::runtime_error(path + " should be an object");
  const auto count = [&](const std::string& key) {
    const int value = read.Int(threads, key, path);
    if (value < 1) throw std::runtime_error(path + "." + key + " should be at least 1");
    return value;
  };
  const int per_rank = count("per_rank");
  const int rank_zero_alone = count("rank_zero_alone");
  const int node_cpus = count("node_cpus");
  const int local_ranks = count("local_ranks");
  const std::string source = read.String(threads, "source", path);
  std::string why;
  if (source == records::kThreadsNodeShare) {
    why =
        "node share, " + Count(node_cpus, "node CPU") + " over " + Count(local_ranks, "local rank");
    // ChooseCpuThreads caps the share at the rank's own CPUs (a launcher bound each rank to
    // fewer), which are also what rank 0 keeps when alone: rank_zero_alone.
    if (node_cpus / local_ranks > per_rank) {
      why += ", capped at rank 0's own " + Count(rank_zero_alone, "CPU");
    }
  } else {
    if (source == records::kThreadsFromOption) {
      why = "--threads-per-rank";
    } else if (source == records::kThreadsFromOmpNumThreads) {
      // The runner sets nothing then: OpenMP and OpenBLAS read the variable themselves.
      why = "OMP_NUM_THREADS, which the libraries read themselves";
    } else if (source == records::kThreadsAloneOnNode) {
      why = "one rank on the node, all its CPUs";
    } else {
      why = source.empty() ? "unknown" : source;  // one this tool does not know, as written
    }
    why += "; node: " + Count(node_cpus, "CPU") + ", " + Count(local_ranks, "local rank");
  }
  return std::to_string(per_rank) + " (rank 0 alone: " + std::to_string(rank_zero_alone) +
         "; source: " + why + ")";
}

// Four significant digits: the method is read by people; the figures keep every digit.
std::string Short(const Json& value) {
  if (!value.is_number()) return "?";
  std::array<char, 32> buffer{};
  const auto [end, error] = std::to_chars(buffer.data(), buffer.data() + buffer.size(),
                                          value.get<double>(), std::chars_format::general, 4);
  return error == std::errc() ? std::string(buffer.data(), end) : "?";
}

// A fact of a probed object in words: booleans on/off, numbers to four digits with `unit`, and a
// null one "unknown" with the reason the object's `unknown` map gives.
std::string Fact(const Json& object, const std::string& key, const std::string& unit = "") {
  const Json value = object.is_object() && object.contains(key) ? object.at(key) : Json();
  if (value.is_null()) {
    const Json unknown = object.is_object() ? object.value("unknown", Json::object()) : Json();
    return unknown.is_object() && unknown.contains(key) ? "unknown (" + Text(unknown.at(key)) + ")"
                                                        : "unknown";
  }
  if (value.is_boolean()) return value.get<bool>() ? "on" : "off";
  return (value.is_number() ? Short(value) : Text(value)) + unit;
}

// NVML's facts of one device, "; "-joined, each with its name.
std::string DescribeNvmlDevice(const Json& nvml) {
  std::string mig = Fact(nvml, "mig_mode");
  if (const std::string pending = Fact(nvml, "mig_mode_pending"); pending != mig) {
    mig += " (after reset: " + pending + ")";
  }
  return "persistence mode " + Fact(nvml, "persistence_mode") + "; MIG " + mig + "; power limit " +
         Fact(nvml, "power_limit_enforced_w", " W") + " (default " +
         Fact(nvml, "power_limit_default_w", " W") + ", settable " +
         Fact(nvml, "power_limit_min_w", " W") + " to " + Fact(nvml, "power_limit_max_w", " W") +
         "); PCIe gen " + Fact(nvml, "pcie_generation") + " x" + Fact(nvml, "pcie_width") +
         " (max gen " + Fact(nvml, "pcie_max_generation") + " x" + Fact(nvml, "pcie_max_width") +
         "); active NVLinks " + Fact(nvml, "nvlinks_active") + "; SM clock " +
         Fact(nvml, "sm_clock_mhz", " MHz") + " (max " + Fact(nvml, "sm_clock_max_mhz", " MHz") +
         "); memory clock " + Fact(nvml, "memory_clock_mhz", " MHz") + " (max " +
         Fact(nvml, "memory_clock_max_mhz", " MHz") + "); ECC (NVML) " + Fact(nvml, "ecc_enabled") +
         " (pending " + Fact(nvml, "ecc_pending") + "); UUID " + Fact(nvml, "uuid");
}

// Every CUDA device with the NVML device at its PCI address, then the NVML devices CUDA does not
// see. Reports written before NVML was probed have no `nvml` and show the CUDA facts alone.
void DescribeGpus(const Json& gpus, ReportView& view) {
  const Json nvml = gpus.value("nvml", Json::object());
  const Json nvml_devices = nvml.value("devices", Json::array());
  if (nvml.contains("library")) {
    view.nvml = nvml.value("unavailable_reason", std::string()).empty()
                    ? "NVML " + Fact(nvml, "nvml_version") + " (driver " +
                          Fact(nvml, "driver_version") + ")"
                    : "not available: " + Text(nvml.at("unavailable_reason"));
  }
  for (const Json& device : gpus.value("devices", Json::array())) {
    GpuView gpu;
    gpu.label = "GPU " + Text(device.value("ordinal", Json())) + ": " + Fact(device, "name");
    gpu.summary = "compute capability " + Fact(device, "compute_capability") + "; " +
                  Fact(device, "memory_gib", " GiB") + "; " + Fact(device, "multiprocessors") +
                  " SMs; PCI " + Fact(device, "pci_bus_id") + "; ECC " +
                  Fact(device, "ecc_enabled");
    for (const Json& candidate : nvml_devices) {
      if (candidate.value("cuda_ordinal", Json()) == device.value("ordinal", Json())) {
        gpu.summary += "; " + DescribeNvmlDevice(candidate);
      }
    }
    view.gpu_devices.push_back(std::move(gpu));
  }
  for (const Json& candidate : nvml_devices) {
    if (!candidate.value("cuda_ordinal", Json()).is_null()) continue;
    GpuView gpu;
    gpu.label = "NVML device " + Text(candidate.value("index", Json())) +
                " (not visible to CUDA): " + Fact(candidate, "name");
    gpu.summary = "PCI " + Fact(candidate, "pci_bus_id") + "; " + DescribeNvmlDevice(candidate);
    view.gpu_devices.push_back(std::move(gpu));
  }
}

// One run's energy evidence in words: "on-die-counter: rapl (package-0, dram-0; from
// /sys/class/powercap), 612 readings at 10 Hz over 61.2 s of timed steps in 2 passes (minimum
// 60 s); idle 12.3 W over 10 s, included in the figures".
std::string DescribeEnergy(const Json& energy, int run) {
  const std::string run_text = "run " + std::to_string(run);
  if (energy.at("not_measured_reason").is_string()) {
    return "not measured (" + run_text + "): " + Text(energy.at("not_measured_reason"));
  }
  std::string domains;
  for (const Json& domain : energy.at("domains")) {
    domains += (domains.empty() ? "" : ", ") + Text(domain);
  }
  const int passes = energy.at("passes").get<int>();
  std::string text = Text(energy.at("tier")) + ": " + Text(energy.at("meter")) + " (" + domains +
                     "; from " + Text(energy.at("source")) + "); " + run_text + ": " +
                     std::to_string(energy.at("samples").get<std::int64_t>()) + " readings at " +
                     Short(energy.at("sample_hz")) + " Hz over " + Short(energy.at("covered_s")) +
                     " s of timed steps in " + std::to_string(passes) +
                     (passes == 1 ? " pass" : " passes") + " (minimum " +
                     Short(energy.at("min_region_s")) + " s); ";
  if (energy.at("idle_watts").is_number()) {
    text += "idle " + Short(energy.at("idle_watts")) + " W over " + Short(energy.at("idle_s")) +
            " s, included in the figures";
  } else {
    text += "idle not measured: " + Text(energy.at("idle_unavailable_reason"));
  }
  return text;
}

// The requirement's judged runs (all timed runs when none was judged) described by their
// energy evidence: the first in full, and any run measured by another tier named.
void DescribeEnergyMethod(const Json& workloads, const Json& requirement, RequirementView& view) {
  std::vector<int> judged;
  for (const Json& index : requirement.at("run_indices")) judged.push_back(index.get<int>());
  const Json* first = nullptr;
  int first_run = 0;
  std::map<std::string, std::vector<int>> tiers;
  for (const Json& workload : workloads) {
    if (Text(workload.at("name")) != view.workload) continue;
    for (const Json& run : workload.at("runs")) {
      if (run.at("warmup").get<bool>() || !run.contains("energy") ||
          !run.at("energy").is_object()) {
        continue;
      }
      const int index = run.at("index").get<int>();
      if (!judged.empty() && std::find(judged.begin(), judged.end(), index) == judged.end()) {
        continue;
      }
      const Json& energy = run.at("energy");
      const std::string tier =
          energy.at("tier").is_string() ? Text(energy.at("tier")) : "not measured";
      tiers[tier].push_back(index + 1);
      if (first == nullptr) {
        first = &energy;
        first_run = index + 1;
      }
    }
  }
  if (first == nullptr) {
    view.tier = "not measured";
    view.method = "no run of " + view.workload + " recorded an energy measurement";
    return;
  }
  view.tier = tiers.size() == 1 ? tiers.begin()->first : "mixed";
  view.method = DescribeEnergy(*first, first_run);
  if (tiers.size() > 1) {
    view.method += "; runs by tier:";
    for (const auto& [tier, runs] : tiers) {
      view.method += " " + tier + " (";
      for (std::size_t i = 0; i < runs.size(); ++i) {
        view.method += (i ? ", " : "") + std::to_string(runs[i]);
      }
      view.method += ")";
    }
  }
}

// A workload's telemetry (workloads[].telemetry) and its runs' flags in words.
TelemetryView DescribeTelemetry(Reader& read, const Json& workload) {
  const Json& t = workload.at("telemetry");
  TelemetryView view;
  view.workload = read.String(workload, "name", "workloads[]");
  view.throttled = read.At(t, "thermal_or_power_throttled", "telemetry").get<bool>();
  const std::int64_t regions = read.At(t, "regions", "telemetry").get<std::int64_t>();
  view.source = read.String(t, "source", "telemetry") + ", " + Short(t.at("sample_hz")) + " Hz, " +
                std::to_string(regions) + " timed run" + (regions == 1 ? "" : "s");
  view.not_measured = read.String(t, "not_measured_reason", "telemetry");
  for (const Json& run : read.At(workload, "runs", "workloads[]")) {
    if (!run.contains("telemetry") || !run.at("telemetry").is_object()) continue;
    if (!run.at("telemetry").at("thermal_or_power_throttled").get<bool>()) continue;
    view.throttled_runs += (view.throttled_runs.empty() ? "" : ", ") +
                           std::to_string(read.Int(run, "index", "runs[]") + 1);
  }
  for (const Json& gpu : read.At(t, "gpus", "telemetry")) {
    const std::string device = read.String(gpu, "device", "telemetry.gpus[]");
    std::string reasons;
    for (const Json& reason : gpu.at("throttle_reasons")) {
      const double share = reason.at("share").is_number() ? reason.at("share").get<double>() : 0;
      reasons += (reasons.empty() ? "" : ", ") + Text(reason.at("name")) + " " +
                 Short(Json(share * 100)) + "%";
    }
    if (gpu.at("throttle_not_measured_reason").is_string()) {
      reasons = "not measured (" + Text(gpu.at("throttle_not_measured_reason")) + ")";
    }
    view.reasons +=
        (view.reasons.empty() ? "" : "; ") + device + ": " + (reasons.empty() ? "none" : reasons);
    for (const Json& field : gpu.at("fields")) {
      TelemetryRowView row;
      row.gpu = device;
      row.field = Text(field.at("name")) + " (" + Text(field.at("unit")) + ")";
      row.samples = Text(field.at("samples"));
      row.figures = field.at("not_measured_reason").is_string()
                        ? "not measured (" + Text(field.at("not_measured_reason")) + ")"
                        : Short(field.at("min")) + " / " + Short(field.at("median")) + " / " +
                              Short(field.at("max"));
      view.rows.push_back(std::move(row));
    }
  }
  return view;
}

}  // namespace

std::string RunSessionsNote(const ReportView& report) {
  std::string note;
  if (!report.interrupted.empty()) note = "interrupted by " + report.interrupted;
  if (report.sessions > 1) {
    note += (note.empty() ? "" : "; ") + std::to_string(report.sessions) + " sessions";
  }
  return note.empty() ? note : " (" + note + ")";
}

Result<ReportView> ParseReportView(std::string_view json, std::string_view name) {
  LEPTON_ASSIGN_OR_RETURN(const ReportDocument document, ReportDocument::Parse(json, name));
  return ParseReportView(document);
}

Result<ReportView> ParseReportView(const ReportDocument& document) {
  const std::string& where = document.name();
  const Json& root = document.data().root;
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
    // Absent from reports written before runs could be interrupted and resumed.
    if (run.contains("interrupted") && !run.at("interrupted").is_null()) {
      view.interrupted = read.String(run, "interrupted", "run");
    }
    if (run.contains("sessions")) view.sessions = read.Int(run, "sessions", "run");
    // Absent from reports written before the runner chose each rank's CPU threads.
    if (run.contains("cpu_threads")) {
      view.cpu_threads = DescribeCpuThreads(read, run.at("cpu_threads"));
    }
    const Json& system = read.At(root, "system", "report");
    view.hostname = read.String(system, "hostname", "system");
    view.os = read.String(system, "os", "system");
    view.cpu_model = read.String(system, "cpu_model", "system");
    view.cpu_cores = read.Int(system, "cpu_cores", "system");
    view.memory_gib = Text(read.At(system, "memory_gib", "system"));
    const Json& blas = read.At(system, "blas", "system");
    view.blas = read.String(blas, "config", "system.blas");
    view.gpus = read.Int(read.At(system, "gpus", "system"), "count", "system.gpus");
    DescribeGpus(system.at("gpus"), view);
    if (root.contains("signature") && root.at("signature").is_object()) {
      view.signer_public_key = read.String(root.at("signature"), "public_key", "signature");
      view.signed_sha256 = read.String(root.at("signature"), "signed_sha256", "signature");
    }
    if (root.contains("descriptive")) {
      for (const auto& [key, value] :
           read.At(read.At(root, "descriptive", "report"), "fields", "descriptive").items()) {
        view.descriptive[key] = Text(value);
      }
    }
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
      requirement.headline = read.At(r, "headline", path).get<bool>();
      if (requirement.kind == "energy") {
        for (const Json& tier : read.At(r, "methods", path)) {
          requirement.methods_accepted +=
              (requirement.methods_accepted.empty() ? "" : ", ") + Text(tier);
        }
        DescribeEnergyMethod(read.At(root, "workloads", "report"), r, requirement);
      }
      view.requirements.push_back(std::move(requirement));
    }
    for (const Json& workload : read.At(root, "workloads", "report")) {
      // Absent in reports written before telemetry was recorded.
      if (workload.contains("telemetry") && workload.at("telemetry").is_object()) {
        view.telemetry.push_back(DescribeTelemetry(read, workload));
      }
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
