#pragma once
// The public leaderboard's model: every submitted report verified (signature by a trusted key,
// spec digest, descriptive hash, every verdict recomputed) and its spec digest checked against
// the released versions; accepted reports grouped by spec version and profile and ranked by each
// headline requirement's statistic (the spec marks them `headline: true`; its bound says which
// way is better). Rejected reports are kept with every reason, so the site can list them.

#include <map>
#include <string>
#include <vector>

#include "conformance/spec/releases.h"
#include "reports/report_view.h"

namespace lepton::reports {

struct SubmittedReport {
  std::string source;  // file name, shown on the site
  std::string json;
};

struct LeaderboardOptions {
  std::vector<std::string> trusted_public_keys;  // hex
  spec::Releases releases;
};

struct HeadlineColumn {
  std::string requirement_id;
  std::string title;
  std::string metric;
  std::string unit;
  std::string statistic;
  bool lower_is_better = false;
};

struct RankedFigure {
  double value = 0;
  int rank = 0;  // 1 is best; equal values share a rank (1, 1, 3)
};

struct LeaderboardEntry {
  std::string id;  // 16 hex digits of the signed content's SHA-256
  std::string source;
  std::string json;  // the submitted bytes, published for anyone to verify again
  ReportView view;
  std::map<std::string, RankedFigure> figures;  // by requirement id; absent: nothing measured
};

struct LeaderboardGroup {
  std::string spec_id;
  std::string spec_version;
  std::string profile;
  std::vector<HeadlineColumn> columns;
  std::vector<std::size_t> entries;  // into Leaderboard::entries, best first by the first column
};

struct RejectedReport {
  std::string source;
  std::vector<std::string> reasons;
};

struct Leaderboard {
  std::vector<LeaderboardEntry> entries;
  std::vector<LeaderboardGroup> groups;
  std::vector<RejectedReport> rejected;
};

// Verifies on up to `threads` threads (0: one per hardware thread); the result does not depend
// on the thread count or on the order of completion.
// Takes the reports by value: accepted ones keep their bytes for publication without a copy.
Leaderboard BuildLeaderboard(std::vector<SubmittedReport> reports,
                             const LeaderboardOptions& options, unsigned threads = 0);

}  // namespace lepton::reports
