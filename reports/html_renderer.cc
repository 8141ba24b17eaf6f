#include "reports/html_renderer.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <optional>

#include "reports/markup_escape.h"

namespace lepton::reports {
namespace {

constexpr double kChartWidth = 420;
constexpr double kChartHeight = 180;
constexpr double kMargin = 36;

std::string Num(double value) {
  char buffer[32];
  const auto [end, error] =
      std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::general, 6);
  return error == std::errc() ? std::string(buffer, end) : "0";
}

std::optional<double> ParseNumber(const std::string& text) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

// Maps [low, high] onto the chart's vertical pixels (top = high).
struct Scale {
  double low;
  double high;
  [[nodiscard]] double Y(double value) const {
    const double span = high > low ? high - low : 1.0;
    return kMargin + (kChartHeight - 2 * kMargin) * (1.0 - (value - low) / span);
  }
};

std::string Axis(const Scale& scale, const std::string& title) {
  return "<text x=\"4\" y=\"14\" class=\"t\">" + EscapeMarkup(title) + "</text>" +
         "<text x=\"4\" y=\"" + Num(scale.Y(scale.high) + 4) + "\" class=\"a\">" + Num(scale.high) +
         "</text><text x=\"4\" y=\"" + Num(scale.Y(scale.low) + 4) + "\" class=\"a\">" +
         Num(scale.low) + "</text><line x1=\"" + Num(kMargin) + "\" y1=\"" +
         Num(kChartHeight - kMargin) + "\" x2=\"" + Num(kChartWidth - 8) + "\" y2=\"" +
         Num(kChartHeight - kMargin) + "\" class=\"ax\"/>";
}

// One line per run of the same series.
std::string LineChart(const std::string& title, const std::vector<const SeriesView*>& runs) {
  double low = std::numeric_limits<double>::infinity();
  double high = -std::numeric_limits<double>::infinity();
  std::size_t length = 0;
  for (const SeriesView* series : runs) {
    for (double p : series->points) {
      low = std::min(low, p);
      high = std::max(high, p);
    }
    length = std::max(length, series->points.size());
  }
  if (length == 0) return "";
  const Scale scale{low, high};
  const double step =
      length > 1 ? (kChartWidth - kMargin - 16) / static_cast<double>(length - 1) : 0;
  std::string svg = "<svg role=\"img\" width=\"" + Num(kChartWidth) + "\" height=\"" +
                    Num(kChartHeight) + "\" viewBox=\"0 0 " + Num(kChartWidth) + " " +
                    Num(kChartHeight) + "\">" + Axis(scale, title);
  for (const SeriesView* series : runs) {
    std::string points;
    for (std::size_t i = 0; i < series->points.size(); ++i) {
      points += Num(kMargin + step * static_cast<double>(i)) + "," +
                Num(scale.Y(series->points[i])) + " ";
    }
    svg += "<polyline class=\"l\" points=\"" + points + "\"><title>run " +
           std::to_string(series->run) + "</title></polyline>";
  }
  return svg + "<text x=\"" + Num(kChartWidth - 80) + "\" y=\"" + Num(kChartHeight - 8) +
         "\" class=\"a\">epochs 1-" + std::to_string(length) + "</text></svg>";
}

// The runs' values of a numeric requirement as dots, with its threshold as a line.
std::string SpreadChart(const RequirementView& r) {
  std::vector<double> values;
  for (const std::string& v : r.values) {
    if (auto number = ParseNumber(v)) values.push_back(*number);
  }
  const auto threshold = ParseNumber(r.threshold);
  if (values.size() < 2 || !threshold) return "";
  const double low = std::min(*std::min_element(values.begin(), values.end()), *threshold);
  const double high = std::max(*std::max_element(values.begin(), values.end()), *threshold);
  const double width = 300;
  const auto x = [&](double v) {
    return 10 + (width - 20) * (high > low ? (v - low) / (high - low) : 0.5);
  };
  std::string svg = "<svg role=\"img\" width=\"" + Num(width) + "\" height=\"26\">";
  svg += "<line x1=\"" + Num(x(*threshold)) + "\" y1=\"2\" x2=\"" + Num(x(*threshold)) +
         "\" y2=\"24\" class=\"th\"><title>threshold " + EscapeMarkup(r.op + " " + r.threshold) +
         "</title></line>";
  for (double v : values) {
    svg += "<circle cx=\"" + Num(x(v)) + "\" cy=\"13\" r=\"4\" class=\"d\"><title>" + Num(v) +
           "</title></circle>";
  }
  return svg + "</svg>";
}

std::string Row(const std::vector<std::string>& cells) {
  std::string row = "<tr>";
  for (const std::string& cell : cells) row += "<td>" + cell + "</td>";
  return row + "</tr>\n";
}

// NVML's availability and one row per GPU, in the report's words.
std::string GpuRows(const ReportView& report) {
  std::string rows;
  if (!report.nvml.empty()) rows += Row({"NVML", EscapeMarkup(report.nvml)});
  for (const GpuView& gpu : report.gpu_devices) {
    rows += Row({EscapeMarkup(gpu.label), EscapeMarkup(gpu.summary)});
  }
  return rows;
}

}  // namespace

std::string RenderHtml(const ReportView& report) {
  const std::string verdict = report.certified ? "CERTIFIED" : "NOT CERTIFIED";
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
      "'unsafe-inline'\"><title>lepton-cert: " +
      verdict + " - " + EscapeMarkup(report.spec_id) + " " + EscapeMarkup(report.profile) +
      "</title><style>body{font-family:sans-serif;margin:2em;max-width:80em}"
      "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 6px;"
      "font-size:90%;text-align:left;overflow-wrap:anywhere}.v{font-size:160%;padding:.5em;color:#"
      "fff}"
      ".ok{background:#2a7}.no{background:#c33}.pass{color:#2a7}.fail,.error,"
      ".not-measured{color:#c33;font-weight:bold}.l{fill:none;stroke:#36c;stroke-width:1.5}"
      ".d{fill:#36c}.th{stroke:#c33;stroke-width:2}.ax{stroke:#999}.t{font-size:12px}"
      ".a{font-size:10px;fill:#555}.warn{background:#fd3;border:2px solid #c60;padding:.5em;"
      "font-weight:bold}.badge{background:#c60;color:#fff;padding:0 4px;border-radius:3px}"
      "</style></head><body>\n";
  html += "<div class=\"v " + std::string(report.certified ? "ok" : "no") + "\">" + verdict +
          "</div>\n<p>" + std::to_string(report.must_passed) + "/" +
          std::to_string(report.must_total) + " MUST passed, " +
          std::to_string(report.should_passed) + "/" + std::to_string(report.should_total) +
          " SHOULD passed, " + std::to_string(report.not_applicable) +
          " not applicable. Spec <code>" + EscapeMarkup(report.spec_id) + "</code> " +
          EscapeMarkup(report.spec_version) + " (" + EscapeMarkup(report.spec_status) +
          ", sha256 <code>" + EscapeMarkup(report.spec_sha256) + "</code>), profile <code>" +
          EscapeMarkup(report.profile) + "</code>, lepton-cert " +
          EscapeMarkup(report.tool_version) + " (" + EscapeMarkup(report.git_commit) + ").</p>\n";
  // A throttled GPU's figures show its cooling or power limit: said before any figure.
  for (const TelemetryView& t : report.telemetry) {
    if (!t.throttled) continue;
    html += "<div class=\"warn\">GPU throttled for heat or power during " +
            EscapeMarkup(t.workload) + " (timed runs " + EscapeMarkup(t.throttled_runs) +
            "): " + EscapeMarkup(t.reasons) +
            ". Its figures show the cooling or power limit, not what the GPU does.</div>\n";
  }
  if (!report.blocking.empty()) {
    html += "<p>Blocking:</p><ul>";
    for (const std::string& b : report.blocking) html += "<li>" + EscapeMarkup(b) + "</li>";
    html += "</ul>\n";
  }
  html +=
      "<h2>Requirements</h2>\n<table><tr><th>Requirement</th><th>Title</th><th>Kind</th>"
      "<th>Level</th><th>Measured</th><th>Threshold</th><th>Verdict</th><th>Runs</th>"
      "<th>Spread</th><th>Reason</th></tr>\n";
  for (const RequirementView& r : report.requirements) {
    const std::string measured = r.measured.empty()
                                     ? "-"
                                     : (r.statistic.empty() ? std::string("value") : r.statistic) +
                                           " " + r.measured + " " + r.unit;
    // An energy figure is shown with the method that measured it (or why it was not).
    const std::string method =
        r.kind == "energy"
            ? "<br><small>" + EscapeMarkup(r.method + "; accepts " + r.methods_accepted) +
                  "</small>"
            : "";
    html += Row(
        {EscapeMarkup(r.id), EscapeMarkup(r.title), EscapeMarkup(r.kind), EscapeMarkup(r.level),
         EscapeMarkup(measured) + method, EscapeMarkup(r.op + " " + r.threshold + " " + r.unit),
         "<span class=\"" + EscapeMarkup(r.verdict) + "\">" + EscapeMarkup(r.verdict) + "</span>",
         std::to_string(r.values.size()) + "/" + std::to_string(r.runs_required), SpreadChart(r),
         EscapeMarkup(r.reason)});
  }
  html +=
      "</table>\n<h2>Traceability</h2>\n<table><tr><th>Requirement</th><th>Workload</th>"
      "<th>Metric</th><th>Evidence</th></tr>\n";
  for (const RequirementView& r : report.requirements) {
    html += Row({EscapeMarkup(r.id), EscapeMarkup(r.workload), EscapeMarkup(r.metric),
                 std::to_string(r.values.size()) + " timed runs in report.json (workloads." +
                     EscapeMarkup(r.workload) + ".runs)"});
  }
  html += "</table>\n";
  std::map<std::pair<std::string, std::string>, std::vector<const SeriesView*>> curves;
  for (const SeriesView& series : report.series) {
    curves[{series.workload, series.name}].push_back(&series);
  }
  if (!curves.empty()) {
    html += "<h2>Curves</h2>\n";
    for (const auto& [key, runs] : curves) {
      html +=
          LineChart(key.first + ": " + key.second + " (" + std::to_string(runs.size()) + " runs)",
                    runs) +
          "\n";
    }
  }
  if (!report.telemetry.empty()) {
    html +=
        "<h2>GPU telemetry</h2>\n<p>NVML readings over each workload's timed runs: min / median "
        "/ max (ECC counts: the increase within a run).</p>\n";
  }
  for (const TelemetryView& t : report.telemetry) {
    html += "<h3>" + EscapeMarkup(t.workload) +
            (t.throttled ? " <span class=\"badge\">throttled</span>" : "") + "</h3>\n<p>" +
            EscapeMarkup(t.source) +
            "; clocks event reasons: " + EscapeMarkup(t.reasons.empty() ? "-" : t.reasons) +
            "</p>\n";
    if (!t.not_measured.empty()) {
      html += "<p class=\"not-measured\">not measured: " + EscapeMarkup(t.not_measured) + "</p>\n";
      continue;
    }
    html +=
        "<table><tr><th>GPU</th><th>Field</th><th>Readings</th><th>Min / median / max</th>"
        "</tr>\n";
    for (const TelemetryRowView& row : t.rows) {
      html += Row({EscapeMarkup(row.gpu), EscapeMarkup(row.field), EscapeMarkup(row.samples),
                   EscapeMarkup(row.figures)});
    }
    html += "</table>\n";
  }
  html += "<h2>System</h2>\n<table>" + Row({"host", EscapeMarkup(report.hostname)}) +
          Row({"OS", EscapeMarkup(report.os)}) + Row({"CPU", EscapeMarkup(report.cpu_model)}) +
          Row({"cores", std::to_string(report.cpu_cores)}) +
          Row({"memory (GiB)", EscapeMarkup(report.memory_gib)}) +
          Row({"BLAS", EscapeMarkup(report.blas)}) + Row({"GPUs", std::to_string(report.gpus)}) +
          GpuRows(report) +
          Row({"run", EscapeMarkup(report.started_at + " to " + report.finished_at +
                                   RunSessionsNote(report))}) +
          Row({"CPU threads per rank", EscapeMarkup(report.cpu_threads)}) +
          "</table>\n</body></html>\n";
  return html;
}

}  // namespace lepton::reports
