#include "reports/markdown_renderer.h"

namespace lepton::reports {
namespace {

std::string Measured(const RequirementView& r) {
  const std::string tier = r.kind == "energy" ? " [" + r.tier + "]" : "";
  if (r.measured.empty()) return "-" + tier;
  return (r.statistic.empty() ? std::string("value") : r.statistic) + " " + r.measured + " " +
         r.unit + tier;
}

std::string Mark(const std::string& verdict) {
  if (verdict == "pass") return "pass";
  if (verdict == "not-applicable") return "n/a";
  return "**" + verdict + "**";
}

}  // namespace

std::string MarkdownCell(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '|':
        out += "\\|";
        break;
      case '<':
        out += "&lt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '\n':
      case '\r':
      case '\t':
        out += ' ';
        break;
      default:
        if (static_cast<unsigned char>(c) >= 0x20) out += c;
    }
  }
  return out;
}

std::string RenderMarkdown(const ReportView& report) {
  std::string md;
  md += "# lepton-cert: " + std::string(report.certified ? "CERTIFIED" : "NOT CERTIFIED") + "\n\n";
  md += "Spec `" + MarkdownCell(report.spec_id) + "` " + MarkdownCell(report.spec_version) + " (" +
        MarkdownCell(report.spec_status) + ", sha256 `" + report.spec_sha256.substr(0, 16) +
        "`), profile `" + MarkdownCell(report.profile) + "`, lepton-cert " +
        MarkdownCell(report.tool_version) + " (" + MarkdownCell(report.git_commit) + ").\n\n";
  md += std::to_string(report.must_passed) + "/" + std::to_string(report.must_total) +
        " MUST passed, " + std::to_string(report.should_passed) + "/" +
        std::to_string(report.should_total) + " SHOULD passed, " +
        std::to_string(report.not_applicable) + " not applicable.\n\n";
  for (const TelemetryView& t : report.telemetry) {
    if (!t.throttled) continue;
    md += "> **Warning: GPU throttled for heat or power during " + MarkdownCell(t.workload) +
          "** (timed runs " + MarkdownCell(t.throttled_runs) + "): " + MarkdownCell(t.reasons) +
          ". Its figures show the cooling or power limit, not what the GPU does.\n\n";
  }
  if (!report.blocking.empty()) {
    md += "Blocking:\n\n";
    for (const std::string& blocking : report.blocking) md += "- " + MarkdownCell(blocking) + "\n";
    md += "\n";
  }
  md += "| Requirement | Title | Level | Verdict | Measured | Threshold | Runs | Reason |\n";
  md += "| --- | --- | --- | --- | --- | --- | --- | --- |\n";
  for (const RequirementView& r : report.requirements) {
    md += "| " + MarkdownCell(r.id) + " | " + MarkdownCell(r.title) + " | " +
          MarkdownCell(r.level) + " | " + Mark(r.verdict) + " | " + MarkdownCell(Measured(r)) +
          " | " + MarkdownCell(r.op + " " + r.threshold + " " + r.unit) + " | " +
          std::to_string(r.values.size()) + "/" + std::to_string(r.runs_required) + " | " +
          MarkdownCell(r.reason) + " |\n";
  }
  std::string energy;
  for (const RequirementView& r : report.requirements) {
    if (r.kind != "energy") continue;
    energy += "- " + MarkdownCell(r.id) + " (accepts " + MarkdownCell(r.methods_accepted) +
              "): " + MarkdownCell(r.method) + "\n";
  }
  if (!energy.empty())
    md += "\nEnergy measurement, the method behind each energy figure:\n\n" + energy;
  for (const TelemetryView& t : report.telemetry) {
    md += "\nGPU telemetry of " + MarkdownCell(t.workload) + (t.throttled ? " (throttled)" : "") +
          ": " + MarkdownCell(t.source) +
          "; clocks event reasons: " + MarkdownCell(t.reasons.empty() ? "-" : t.reasons) + "\n\n";
    if (!t.not_measured.empty()) {
      md += "Not measured: " + MarkdownCell(t.not_measured) + "\n";
      continue;
    }
    md += "| GPU | Field | Readings | Min / median / max |\n| --- | --- | --- | --- |\n";
    for (const TelemetryRowView& row : t.rows) {
      md += "| " + MarkdownCell(row.gpu) + " | " + MarkdownCell(row.field) + " | " +
            MarkdownCell(row.samples) + " | " + MarkdownCell(row.figures) + " |\n";
    }
  }
  md += "\nTraceability: requirement -> workload -> metric\n\n";
  md += "| Requirement | Workload | Metric |\n| --- | --- | --- |\n";
  for (const RequirementView& r : report.requirements) {
    md += "| " + MarkdownCell(r.id) + " | " + MarkdownCell(r.workload) + " | " +
          MarkdownCell(r.metric) + " |\n";
  }
  md += "\nSystem: " + MarkdownCell(report.hostname) + ", " + MarkdownCell(report.os) + ", " +
        MarkdownCell(report.cpu_model) + " (" + std::to_string(report.cpu_cores) + " cores), " +
        MarkdownCell(report.memory_gib) + " GiB, " + std::to_string(report.gpus) + " GPUs, " +
        MarkdownCell(report.blas) + ". Run " + MarkdownCell(report.started_at) + " to " +
        MarkdownCell(report.finished_at + RunSessionsNote(report)) + ".\n";
  md += "\nCPU threads per rank: " + MarkdownCell(report.cpu_threads) + "\n";
  if (!report.nvml.empty()) md += "\nNVML: " + MarkdownCell(report.nvml) + "\n";
  if (!report.gpu_devices.empty()) md += "\nGPUs:\n\n";
  for (const GpuView& gpu : report.gpu_devices) {
    md += "- " + MarkdownCell(gpu.label) + ": " + MarkdownCell(gpu.summary) + "\n";
  }
  return md;
}

}  // namespace lepton::reports
