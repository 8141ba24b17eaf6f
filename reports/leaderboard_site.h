#pragma once
// The leaderboard as a static site that opens from the file system (no server, no network):
//   index.html          one sortable table per spec version and profile (inline script and
//                       style; sorting by any column, state in the URL: #sort=TABLE:COLUMN:asc),
//                       then the rejected reports with every reason
//   reports/ID.html     each accepted report rendered (reports/html_renderer.h)
//   reports/ID.json     the report exactly as submitted, signature included, to verify again
//   leaderboard.csv     one row per report and headline figure (RFC 4180 quoting)
//   leaderboard.json    the same data, plus the rejections
// The site is built in a sibling directory and renamed into place: readers see the old site or
// the new one, never a mix. Only an earlier site (or an empty directory) is ever replaced.

#include <filesystem>
#include <string>

#include "conformance/core/status.h"
#include "reports/leaderboard.h"

namespace lepton::reports {

std::string RenderLeaderboardIndex(const Leaderboard& board, const std::string& tool_version);
std::string RenderLeaderboardRejected(const Leaderboard& board, const std::string& tool_version);
std::string RenderLeaderboardCsv(const Leaderboard& board);
std::string RenderLeaderboardJson(const Leaderboard& board, const std::string& tool_version);

Status WriteLeaderboardSite(const Leaderboard& board, const std::filesystem::path& dir,
                            const std::string& tool_version);

}  // namespace lepton::reports
