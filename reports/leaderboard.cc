#include "reports/leaderboard.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <optional>
#include <thread>
#include <tuple>

#include "reports/report_verify.h"

namespace lepton::reports {
namespace {

// One report's outcome, computed independently of all others (so on any thread).
struct Examined {
  std::optional<LeaderboardEntry> entry;
  std::vector<std::string> reasons;
};

std::optional<double> Number(const std::string& text) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

Examined Examine(const SubmittedReport& report, const LeaderboardOptions& options,
                 SpecCache& cache) {
  Examined result;
  auto document = ReportDocument::Parse(report.json, report.source);
  if (!document) {
    result.reasons.push_back(document.error().message());
    return result;
  }
  for (const VerifyCheck& check : VerifyReport(*document, options.trusted_public_keys, &cache)) {
    if (!check.ok) result.reasons.push_back(check.field + ": " + check.message);
  }
  auto view = ParseReportView(*document);
  if (!view) {
    result.reasons.push_back(view.error().message());
    return result;
  }
  const auto released = options.releases.find(view->spec_version);
  if (released == options.releases.end() || released->second != view->spec_sha256) {
    result.reasons.push_back("spec " + view->spec_id + " " + view->spec_version + " (" +
                             view->spec_status + ", digest " + view->spec_sha256.substr(0, 16) +
                             "...) is not a released version of the standard");
  }
  if (!result.reasons.empty()) return result;
  LeaderboardEntry entry;
  entry.id = view->signed_sha256.substr(0, 16);
  entry.source = report.source;
  for (const RequirementView& requirement : view->requirements) {
    if (!requirement.headline) continue;
    if (requirement.verdict != "pass" && requirement.verdict != "fail") continue;
    if (const auto value = Number(requirement.measured)) {
      entry.figures[requirement.id] = RankedFigure{*value, 0};
    }
  }
  entry.view = std::move(*view);
  result.entry = std::move(entry);
  return result;
}

std::vector<Examined> ExamineAll(std::span<const SubmittedReport> reports,
                                 const LeaderboardOptions& options, unsigned threads) {
  std::vector<Examined> examined(reports.size());
  if (threads == 0) threads = std::max(1U, std::thread::hardware_concurrency());
  threads = std::min<unsigned>(threads, static_cast<unsigned>(reports.size()));
  std::atomic<std::size_t> next{0};
  SpecCache cache;
  const auto work = [&] {
    for (std::size_t i = next++; i < reports.size(); i = next++) {
      examined[i] = Examine(reports[i], options, cache);
    }
  };
  std::vector<std::jthread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  return examined;
}

void Rank(Leaderboard& board, LeaderboardGroup& group) {
  for (const HeadlineColumn& column : group.columns) {
    std::vector<std::pair<double, std::size_t>> measured;
    for (std::size_t index : group.entries) {
      const auto figure = board.entries[index].figures.find(column.requirement_id);
      if (figure != board.entries[index].figures.end()) {
        measured.emplace_back(figure->second.value, index);
      }
    }
    std::sort(measured.begin(), measured.end(), [&](const auto& a, const auto& b) {
      return column.lower_is_better ? a.first < b.first : a.first > b.first;
    });
    for (std::size_t position = 0; position < measured.size(); ++position) {
      const bool tie = position > 0 && measured[position].first == measured[position - 1].first;
      RankedFigure& figure =
          board.entries[measured[position].second].figures[column.requirement_id];
      figure.rank =
          tie ? board.entries[measured[position - 1].second].figures[column.requirement_id].rank
              : static_cast<int>(position) + 1;
    }
  }
  // Best first by the first column; unmeasured last; then by id so the order is stable.
  const std::string first = group.columns.empty() ? "" : group.columns.front().requirement_id;
  std::sort(group.entries.begin(), group.entries.end(), [&](std::size_t a, std::size_t b) {
    const auto rank = [&](std::size_t index) {
      const auto figure = board.entries[index].figures.find(first);
      return figure == board.entries[index].figures.end() ? 1 << 30 : figure->second.rank;
    };
    return std::make_tuple(rank(a), board.entries[a].id) <
           std::make_tuple(rank(b), board.entries[b].id);
  });
}

}  // namespace

Leaderboard BuildLeaderboard(std::vector<SubmittedReport> reports,
                             const LeaderboardOptions& options, unsigned threads) {
  std::vector<Examined> examined = ExamineAll(reports, options, threads);
  Leaderboard board;
  std::map<std::string, std::string> seen;  // id -> first source
  std::map<std::tuple<std::string, std::string, std::string>, std::size_t> group_of;
  for (std::size_t i = 0; i < examined.size(); ++i) {
    if (!examined[i].entry) {
      board.rejected.push_back({reports[i].source, std::move(examined[i].reasons)});
      continue;
    }
    LeaderboardEntry& entry = *examined[i].entry;
    entry.json = std::move(reports[i].json);
    if (const auto [it, inserted] = seen.emplace(entry.id, entry.source); !inserted) {
      board.rejected.push_back(
          {entry.source, {"the same signed run as " + it->second + " (submitted twice)"}});
      entry.json.clear();
      continue;
    }
    const auto key =
        std::make_tuple(entry.view.spec_id, entry.view.spec_version, entry.view.profile);
    auto [group, created] = group_of.emplace(key, board.groups.size());
    if (created) {
      LeaderboardGroup fresh{
          entry.view.spec_id, entry.view.spec_version, entry.view.profile, {}, {}};
      for (const RequirementView& requirement : entry.view.requirements) {
        if (!requirement.headline) continue;
        fresh.columns.push_back({requirement.id, requirement.title, requirement.metric,
                                 requirement.unit, requirement.statistic,
                                 requirement.op == "<=" || requirement.op == "<"});
      }
      board.groups.push_back(std::move(fresh));
    }
    board.groups[group->second].entries.push_back(board.entries.size());
    board.entries.push_back(std::move(entry));
  }
  for (LeaderboardGroup& group : board.groups) Rank(board, group);
  std::sort(board.groups.begin(), board.groups.end(), [](const auto& a, const auto& b) {
    return std::tie(a.spec_id, a.spec_version, a.profile) <
           std::tie(b.spec_id, b.spec_version, b.profile);
  });
  return board;
}

}  // namespace lepton::reports
