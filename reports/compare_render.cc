#include "reports/compare_render.h"

#include <fmt/core.h>

#include <cmath>
#include <vector>

#include "reports/markup_escape.h"

namespace lepton::reports {
namespace {

std::string Number(double value) {
  if (!std::isfinite(value)) return "-";
  return fmt::format("{:.4g}", value);
}

std::string Change(double change) {
  if (!std::isfinite(change)) return "-";
  return fmt::format("{:+.2f}%", change * 100);
}

std::string Interval(const MetricComparison& row) {
  if (!std::isfinite(row.change_low) || !std::isfinite(row.change_high)) return "-";
  return fmt::format("[{:+.2f}%, {:+.2f}%]", row.change_low * 100, row.change_high * 100);
}

std::string PValue(const MetricComparison& row) {
  if (row.verdict == ChangeVerdict::kNotComparable) return "-";
  return fmt::format("{:.3g}{}", row.p_value, row.p_exact ? "" : "~");
}

std::string Sample(double median, std::size_t runs, const std::string& unit) {
  return fmt::format("{} {} (n={})", Number(median), unit, runs);
}

std::string Header(const Comparison& comparison) {
  return fmt::format(
      "baseline {} vs candidate {}: change of medians with a {:g}% bootstrap interval; "
      "two-sided Mann-Whitney U at alpha {:g} (~ marks the normal approximation); a regression is "
      "significant and worse by more than {:g}%",
      comparison.baseline_name, comparison.candidate_name, (1 - comparison.options.alpha) * 100,
      comparison.options.alpha, comparison.options.max_regression * 100);
}

std::string Summary(const Comparison& comparison) {
  return fmt::format("{} metrics compared: {} regression{}, {} undecided",
                     comparison.metrics.size(), comparison.regressions,
                     comparison.regressions == 1 ? "" : "s", comparison.undecided);
}

}  // namespace

std::string RenderComparisonText(const Comparison& comparison) {
  std::vector<std::vector<std::string>> rows = {
      {"metric", "baseline", "candidate", "change", "interval", "p", "better", "verdict"}};
  std::vector<std::string> notes = {""};
  std::string not_judged;
  bool any_undecided = false;
  for (const MetricComparison& row : comparison.metrics) {
    if (row.verdict == ChangeVerdict::kDirectionUnknown) {
      not_judged += (not_judged.empty() ? "" : ", ") + row.workload + "." + row.metric;
      continue;
    }
    any_undecided = any_undecided || row.verdict == ChangeVerdict::kUndecided;
    rows.push_back({row.workload + "." + row.metric,
                    Sample(row.baseline_median, row.baseline.size(), row.unit),
                    Sample(row.candidate_median, row.candidate.size(), row.unit),
                    Change(row.change), Interval(row), PValue(row), row.better,
                    std::string(ChangeVerdictName(row.verdict))});
    const bool explain =
        row.verdict == ChangeVerdict::kRegression || row.verdict == ChangeVerdict::kNotComparable;
    notes.push_back(explain ? row.note : "");
  }
  std::vector<std::size_t> widths(rows.front().size(), 0);
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  }
  std::string text = Header(comparison) + "\n\n";
  for (std::size_t r = 0; r < rows.size(); ++r) {
    for (std::size_t c = 0; c < rows[r].size(); ++c) {
      text += fmt::format("{:<{}}", rows[r][c], c + 1 == rows[r].size() ? 0 : widths[c] + 2);
    }
    text += "\n";
    if (!notes[r].empty()) text += "    " + notes[r] + "\n";
  }
  if (any_undecided) {
    text += fmt::format(
        "undecided: too few runs for any outcome to be significant at alpha {:g} (Mann-Whitney U "
        "needs 4 runs on each side to reach p < 0.05, 5 for p < 0.01; raise the runs with "
        "--runs)\n",
        comparison.options.alpha);
  }
  if (!not_judged.empty()) {
    text +=
        "not judged (no requirement bounds them and their unit does not say which way is "
        "better): " +
        not_judged + "\n";
  }
  for (const std::string& warning : comparison.warnings) text += "warning: " + warning + "\n";
  return text + Summary(comparison) + "\n";
}

std::string RenderComparisonMarkdown(const Comparison& comparison) {
  std::string text = "### lepton-cert compare\n\n" + Header(comparison) + "\n\n";
  text += "| metric | baseline | candidate | change | interval | p | verdict |\n";
  text += "|---|---|---|---|---|---|---|\n";
  const auto cell = [](std::string value) {
    for (std::size_t at = value.find('|'); at != std::string::npos; at = value.find('|', at + 2)) {
      value.replace(at, 1, "\\|");
    }
    return value;
  };
  for (const MetricComparison& row : comparison.metrics) {
    const bool bad = row.verdict == ChangeVerdict::kRegression;
    text += fmt::format("| {} | {} | {} | {} | {} | {} | {}{}{} |\n",
                        cell(row.workload + "." + row.metric),
                        cell(Sample(row.baseline_median, row.baseline.size(), row.unit)),
                        cell(Sample(row.candidate_median, row.candidate.size(), row.unit)),
                        Change(row.change), Interval(row), PValue(row), bad ? "**" : "",
                        ChangeVerdictName(row.verdict), bad ? "**" : "");
  }
  text += "\n";
  for (const std::string& warning : comparison.warnings)
    text += "- warning: " + cell(warning) + "\n";
  return text + "\n" + Summary(comparison) + "\n";
}

std::string RenderComparisonJUnit(const Comparison& comparison) {
  int failures = 0;
  int skipped = 0;
  std::string cases;
  for (const MetricComparison& row : comparison.metrics) {
    cases += "    <testcase classname=\"compare." + EscapeMarkup(row.workload) + "\" name=\"" +
             EscapeMarkup(row.metric) + "\">\n";
    const std::string message =
        fmt::format("{} -> {} {} ({}, interval {}, p {}): {}", Number(row.baseline_median),
                    Number(row.candidate_median), row.unit, Change(row.change), Interval(row),
                    PValue(row), row.note);
    switch (row.verdict) {
      case ChangeVerdict::kRegression:
        ++failures;
        cases += "      <failure type=\"regression\" message=\"" + EscapeMarkup(message) + "\"/>\n";
        break;
      case ChangeVerdict::kUndecided:
      case ChangeVerdict::kDirectionUnknown:
      case ChangeVerdict::kNotComparable:
        ++skipped;
        cases += "      <skipped message=\"" +
                 EscapeMarkup(std::string(ChangeVerdictName(row.verdict)) + ": " + message) +
                 "\"/>\n";
        break;
      default:
        break;
    }
    cases += "    </testcase>\n";
  }
  const std::string name =
      "lepton-cert compare " + comparison.baseline_name + " -> " + comparison.candidate_name;
  const std::string counts = fmt::format("tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\"",
                                         comparison.metrics.size(), failures, skipped);
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"" + EscapeMarkup(name) +
         "\" " + counts + ">\n  <testsuite name=\"" + EscapeMarkup(name) + "\" " + counts + ">\n" +
         cases + "  </testsuite>\n</testsuites>\n";
}

}  // namespace lepton::reports
