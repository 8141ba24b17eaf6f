#include "reports/leaderboard_site.h"

#include <fmt/core.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "reports/html_renderer.h"
#include "reports/markup_escape.h"

namespace lepton::reports {
namespace {

using OrderedJson = nlohmann::ordered_json;

std::string SystemName(const LeaderboardEntry& entry) {
  const auto name = entry.view.descriptive.find("name");
  return name != entry.view.descriptive.end() && !name->second.empty() ? name->second
                                                                       : entry.view.hostname;
}

std::string Accelerators(const ReportView& view) {
  return view.gpus > 0 ? fmt::format("{} GPU{}", view.gpus, view.gpus == 1 ? "" : "s") : "CPU only";
}

std::string Figure(double value) { return fmt::format("{:.4g}", value); }

// The script sorts a table's body by one column: numbers numerically, text as text, empty cells
// (nothing measured) always last. The state lives in location.hash so a sorted view can be linked
// and so a headless browser can be pointed at one.
constexpr const char* kSortScript = R"js(
function sortTable(table, column, direction) {
  const body = table.tBodies[0];
  const rows = Array.from(body.rows);
  const key = row => row.cells[column].dataset.v ?? row.cells[column].textContent;
  rows.sort((a, b) => {
    const x = key(a), y = key(b);
    if (x === '' || y === '') return (x === '') - (y === '');
    const nx = Number(x), ny = Number(y);
    const order = Number.isFinite(nx) && Number.isFinite(ny) ? nx - ny : x.localeCompare(y);
    return direction === 'desc' ? -order : order;
  });
  body.append(...rows);
  for (const th of table.tHead.rows[0].cells) th.removeAttribute('aria-sort');
  table.tHead.rows[0].cells[column].setAttribute('aria-sort',
      direction === 'desc' ? 'descending' : 'ascending');
}
function applyHash() {
  const match = /^#sort=([\w-]+):(\d+):(asc|desc)$/.exec(location.hash);
  const table = match && document.getElementById(match[1]);
  if (table) sortTable(table, Number(match[2]), match[3]);
}
for (const table of document.querySelectorAll('table.board')) {
  for (const th of table.tHead.rows[0].cells) {
    th.addEventListener('click', () => {
      const next = th.getAttribute('aria-sort') === 'ascending' ? 'desc' : 'asc';
      location.hash = `sort=${table.id}:${th.cellIndex}:${next}`;
    });
  }
}
window.addEventListener('hashchange', applyHash);
applyHash();
)js";

std::string Cell(const std::string& text, const std::string& sort_value) {
  return "<td data-v=\"" + EscapeMarkup(sort_value) + "\">" + text + "</td>";
}

std::string CsvField(std::string text, bool is_text) {
  // A spreadsheet would run a text cell starting with = + - @ as a formula.
  if (is_text && !text.empty() &&
      std::string_view("=+-@\t\r").find(text.front()) != std::string_view::npos) {
    text.insert(0, "'");
  }
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

// The opening of every page of the site, up to and including its heading.
std::string PageStart(const std::string& title) {
  return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" +
         EscapeMarkup(title) +
         "</title><style>body{font-family:sans-serif;margin:2em;max-width:90em}"
         "table{border-collapse:collapse;margin-bottom:1.5em}td,th{border:1px solid #ccc;"
         "padding:3px 6px;font-size:90%;text-align:left}th{cursor:pointer;background:#f4f4f4}"
         "th[aria-sort=ascending]::after{content:' \\25B2'}th[aria-sort=descending]::after"
         "{content:' \\25BC'}.pass{color:#2a7}.fail{color:#c33;font-weight:bold}.r{color:#777;"
         "font-size:85%}</style></head><body>\n<h1>" +
         EscapeMarkup(title) + "</h1>\n";
}

}  // namespace

std::string RenderLeaderboardIndex(const Leaderboard& board, const std::string& tool_version) {
  std::string html = PageStart("Lepton leaderboard");
  html += fmt::format(
      "<p>{} verified report{}, <a href=\"rejected.html\">{} rejected</a>. Every listed report "
      "carries an Ed25519 signature by a trusted key, its embedded spec matches a released "
      "version's digest, and every verdict was recomputed from its raw measurements. Downloads: "
      "<a href=\"leaderboard.csv\">CSV</a>, <a href=\"leaderboard.json\">JSON</a>. Built by "
      "lepton-cert {}.</p>\n",
      board.entries.size(), board.entries.size() == 1 ? "" : "s", board.rejected.size(),
      EscapeMarkup(tool_version));
  for (std::size_t g = 0; g < board.groups.size(); ++g) {
    const LeaderboardGroup& group = board.groups[g];
    const std::string table_id = "g" + std::to_string(g);
    html += "<h2>" + EscapeMarkup(group.spec_id + " " + group.spec_version) + ", profile " +
            EscapeMarkup(group.profile) + "</h2>\n<table class=\"board\" id=\"" + table_id +
            "\"><thead><tr><th>System</th><th>Accelerators</th><th>CPU</th><th>Certified</th>"
            "<th>MUST passed</th>";
    // Several requirements may rank by the same metric (time_to_accuracy_s of three datasets):
    // the requirement id tells the columns apart.
    for (const HeadlineColumn& column : group.columns) {
      html += "<th title=\"" + EscapeMarkup(column.title) + "\">" +
              EscapeMarkup(column.requirement_id) + "<br>" +
              EscapeMarkup(column.metric + " (" + column.statistic + ", " + column.unit + ", " +
                           (column.lower_is_better ? "lower" : "higher") + " is better)") +
              "</th>";
    }
    html += "<th>Run</th><th>Report</th></tr></thead><tbody>\n";
    for (std::size_t index : group.entries) {
      const LeaderboardEntry& entry = board.entries[index];
      const ReportView& view = entry.view;
      html += "<tr>" + Cell(EscapeMarkup(SystemName(entry)), SystemName(entry)) +
              Cell(EscapeMarkup(Accelerators(view)), std::to_string(view.gpus)) +
              Cell(EscapeMarkup(view.cpu_model), view.cpu_model) +
              Cell(view.certified ? "<span class=\"pass\">yes</span>"
                                  : "<span class=\"fail\">no</span>",
                   view.certified ? "1" : "0") +
              Cell(fmt::format("{}/{}", view.must_passed, view.must_total),
                   std::to_string(view.must_passed));
      for (const HeadlineColumn& column : group.columns) {
        const auto figure = entry.figures.find(column.requirement_id);
        if (figure == entry.figures.end()) {
          html += Cell("<span class=\"r\">not measured</span>", "");
        } else {
          html += Cell(EscapeMarkup(Figure(figure->second.value)) + " <span class=\"r\">#" +
                           std::to_string(figure->second.rank) + "</span>",
                       fmt::format("{:.17g}", figure->second.value));
        }
      }
      html += Cell(EscapeMarkup(view.started_at), view.started_at) +
              Cell("<a href=\"reports/" + entry.id + ".html\">" + entry.id + "</a> (<a href=\"" +
                       "reports/" + entry.id + ".json\">json</a>)",
                   entry.id) +
              "</tr>\n";
    }
    html += "</tbody></table>\n";
  }
  return html + "<script>" + kSortScript + "</script>\n</body></html>\n";
}

std::string RenderLeaderboardRejected(const Leaderboard& board, const std::string& tool_version) {
  std::string html = PageStart("Lepton leaderboard: rejected reports");
  html += fmt::format(
      "<p>{} report{} could not be ranked, each with every reason found: a signature by no "
      "trusted key, a field changed after signing, a spec digest that is not a released "
      "version, a verdict that does not follow from the measurements, or a file that is not a "
      "report. Nothing here appears in the <a href=\"index.html\">ranking</a>. Built by "
      "lepton-cert {}.</p>\n",
      board.rejected.size(), board.rejected.size() == 1 ? "" : "s", EscapeMarkup(tool_version));
  if (board.rejected.empty()) return html + "<p>No report was rejected.</p>\n</body></html>\n";
  html +=
      "<table id=\"rejected\"><thead><tr><th>File</th><th>Reasons</th></tr></thead>"
      "<tbody>\n";
  for (const RejectedReport& rejected : board.rejected) {
    html += "<tr><td>" + EscapeMarkup(rejected.source) + "</td><td><ul>";
    for (const std::string& reason : rejected.reasons) {
      html += "<li>" + EscapeMarkup(reason) + "</li>";
    }
    html += "</ul></td></tr>\n";
  }
  return html + "</tbody></table>\n</body></html>\n";
}

std::string RenderLeaderboardCsv(const Leaderboard& board) {
  std::string csv =
      "spec,version,profile,report_id,system,certified,requirement_id,metric,statistic,unit,"
      "better,value,rank\r\n";
  for (const LeaderboardGroup& group : board.groups) {
    for (std::size_t index : group.entries) {
      const LeaderboardEntry& entry = board.entries[index];
      for (const HeadlineColumn& column : group.columns) {
        const auto figure = entry.figures.find(column.requirement_id);
        const bool measured = figure != entry.figures.end();
        csv += CsvField(group.spec_id, true) + "," + CsvField(group.spec_version, true) + "," +
               CsvField(group.profile, true) + "," + entry.id + "," +
               CsvField(SystemName(entry), true) + "," + (entry.view.certified ? "true" : "false") +
               "," + CsvField(column.requirement_id, true) + "," + CsvField(column.metric, true) +
               "," + CsvField(column.statistic, true) + "," + CsvField(column.unit, true) + "," +
               (column.lower_is_better ? "lower" : "higher") + "," +
               (measured ? fmt::format("{:.17g}", figure->second.value) : "") + "," +
               (measured ? std::to_string(figure->second.rank) : "") + "\r\n";
      }
    }
  }
  return csv;
}

std::string RenderLeaderboardJson(const Leaderboard& board, const std::string& tool_version) {
  OrderedJson groups = OrderedJson::array();
  for (const LeaderboardGroup& group : board.groups) {
    OrderedJson columns = OrderedJson::array();
    for (const HeadlineColumn& column : group.columns) {
      columns.push_back({{"requirement_id", column.requirement_id},
                         {"title", column.title},
                         {"metric", column.metric},
                         {"statistic", column.statistic},
                         {"unit", column.unit},
                         {"better", column.lower_is_better ? "lower" : "higher"}});
    }
    OrderedJson entries = OrderedJson::array();
    for (std::size_t index : group.entries) {
      const LeaderboardEntry& entry = board.entries[index];
      OrderedJson figures = OrderedJson::object();
      for (const auto& [id, figure] : entry.figures) {
        figures[id] = {{"value", figure.value}, {"rank", figure.rank}};
      }
      entries.push_back({{"report_id", entry.id},
                         {"source", entry.source},
                         {"system", SystemName(entry)},
                         {"hostname", entry.view.hostname},
                         {"cpu_model", entry.view.cpu_model},
                         {"gpus", entry.view.gpus},
                         {"certified", entry.view.certified},
                         {"must_passed", entry.view.must_passed},
                         {"must_total", entry.view.must_total},
                         {"started_at", entry.view.started_at},
                         {"signed_by", entry.view.signer_public_key},
                         {"figures", figures},
                         {"report", "reports/" + entry.id + ".json"}});
    }
    groups.push_back({{"spec", group.spec_id},
                      {"version", group.spec_version},
                      {"profile", group.profile},
                      {"columns", columns},
                      {"entries", entries}});
  }
  OrderedJson rejected = OrderedJson::array();
  for (const RejectedReport& report : board.rejected) {
    rejected.push_back({{"source", report.source}, {"reasons", report.reasons}});
  }
  return OrderedJson{{"generated_by", "lepton-cert " + tool_version},
                     {"groups", groups},
                     {"rejected", rejected}}
             .dump(2) +
         "\n";
}

Status WriteLeaderboardSite(const Leaderboard& board, const std::filesystem::path& dir,
                            const std::string& tool_version) {
  const std::filesystem::path target = std::filesystem::absolute(dir).lexically_normal();
  const std::string suffix = "." + std::to_string(::getpid());
  std::filesystem::path staging = target;
  staging += ".partial" + suffix;
  std::filesystem::path previous = target;
  previous += ".old" + suffix;
  std::error_code error;
  // Only an earlier site is ever replaced: a directory the user named by mistake is kept.
  if (std::filesystem::exists(target) &&
      !(std::filesystem::is_directory(target) && std::filesystem::is_empty(target)) &&
      !(std::filesystem::exists(target / "index.html") &&
        std::filesystem::exists(target / "leaderboard.json"))) {
    return InvalidArgumentError(target.string() +
                                ": exists and is not a leaderboard site; name a new or empty "
                                "directory, or an earlier site to replace");
  }
  std::filesystem::remove_all(staging, error);
  if (!std::filesystem::create_directories(staging / "reports", error) || error) {
    return InvalidArgumentError(staging.string() + ": cannot create: " + error.message());
  }
  // Files in the staging directory need no rename of their own: the directory's rename below
  // publishes them all at once. They are not fsync'ed: the site is derived from the reports and
  // rebuilt in seconds, and 2,000 fsyncs would cost more than the verification itself.
  const auto write = [&](const std::filesystem::path& relative, const std::string& bytes) {
    const std::filesystem::path path = staging / relative;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    return out ? OkStatus() : InvalidArgumentError(path.string() + ": write failed");
  };
  Status status = write("index.html", RenderLeaderboardIndex(board, tool_version));
  if (status.ok()) status = write("rejected.html", RenderLeaderboardRejected(board, tool_version));
  if (status.ok()) status = write("leaderboard.csv", RenderLeaderboardCsv(board));
  if (status.ok()) status = write("leaderboard.json", RenderLeaderboardJson(board, tool_version));
  for (std::size_t i = 0; status.ok() && i < board.entries.size(); ++i) {
    const LeaderboardEntry& entry = board.entries[i];
    status = write("reports/" + entry.id + ".html", RenderHtml(entry.view));
    if (status.ok()) status = write("reports/" + entry.id + ".json", entry.json);
  }
  if (!status.ok()) {
    std::filesystem::remove_all(staging, error);
    return status;
  }
  // Swap the directories: two renames, each atomic; the old site is removed afterwards.
  const bool had_previous = std::filesystem::exists(target);
  if (had_previous) std::filesystem::rename(target, previous, error);
  if (!error) std::filesystem::rename(staging, target, error);
  if (error) {
    if (had_previous && !std::filesystem::exists(target)) {
      std::filesystem::rename(previous, target, error);
    }
    std::filesystem::remove_all(staging, error);
    return InvalidArgumentError(target.string() + ": cannot put the site in place");
  }
  std::filesystem::remove_all(previous, error);
  return OkStatus();
}

}  // namespace lepton::reports
