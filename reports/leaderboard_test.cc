#include "reports/leaderboard.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "conformance/core/sha256.h"
#include "reports/json_report.h"
#include "reports/leaderboard_site.h"
#include "reports/report_verify.h"
#include "reports/signing.h"
#include "reports/test_report_fixture.h"

namespace lepton::reports {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::ordered_json;

// A real report of the test spec's ci profile whose regression measured `rows_per_second` in
// both of its runs, signed by `keys`.
std::string SignedReport(const KeyPair& keys, double rows_per_second,
                         const std::string& started_at) {
  Fixture fixture;
  records::RunRecord& first = fixture.workloads[0].runs[0];
  first.metrics.values["rows_per_second"] = rows_per_second;
  records::RunRecord second = first;
  second.index = 1;
  fixture.workloads[0].runs.push_back(second);
  fixture.report.verdicts.clear();
  for (const auto& planned : fixture.plan.requirements) {
    fixture.report.verdicts.push_back(judge::JudgeRequirement(
        planned, records::FindRecord(fixture.workloads, planned.requirement->workload)));
  }
  fixture.report.summary = judge::Summarize(fixture.plan.requirements, fixture.report.verdicts);
  fixture.report.run.started_at = started_at;
  return SignReport(ReportToJson(fixture.report), keys.secret_hex, keys.public_hex).value();
}

class LeaderboardTest : public ::testing::Test {
 protected:
  KeyPair keys_ = GenerateKeyPair();
  LeaderboardOptions options_;

  void SetUp() override {
    Fixture fixture;
    options_.trusted_public_keys = {keys_.public_hex};
    options_.releases = {{fixture.spec.version, fixture.spec.sha256}};
  }
};

TEST_F(LeaderboardTest, RanksVerifiedReportsByTheirHeadlineFigures) {
  const std::vector<SubmittedReport> reports = {
      {"slow.json", SignedReport(keys_, 50, "2026-01-01T00:00:01Z")},
      {"fast.json", SignedReport(keys_, 500, "2026-01-01T00:00:02Z")},
      {"tied.json", SignedReport(keys_, 50, "2026-01-01T00:00:03Z")},
  };
  for (unsigned threads : {1U, 3U}) {
    const Leaderboard board = BuildLeaderboard(reports, options_, threads);
    ASSERT_TRUE(board.rejected.empty()) << board.rejected.front().reasons.front();
    ASSERT_EQ(board.groups.size(), 1U);
    const LeaderboardGroup& group = board.groups.front();
    EXPECT_EQ(group.profile, "ci");
    ASSERT_EQ(group.columns.size(), 1U);
    EXPECT_EQ(group.columns.front().requirement_id, "PERF-ROWS");
    EXPECT_FALSE(group.columns.front().lower_is_better);  // a lower bound: higher is better
    std::vector<std::string> order;
    std::vector<int> ranks;
    for (std::size_t index : group.entries) {
      order.push_back(board.entries[index].source);
      ranks.push_back(board.entries[index].figures.at("PERF-ROWS").rank);
    }
    // Ties share a rank; among equals the order is by report id, so only the set is fixed.
    EXPECT_EQ(order.front(), "fast.json");
    EXPECT_THAT(ranks, ElementsAre(1, 2, 2));
  }
}

TEST_F(LeaderboardTest, RejectsUnsignedTamperedUnknownKeyUnreleasedAndDuplicateReports) {
  const std::string good = SignedReport(keys_, 100, "2026-01-01T00:00:01Z");
  Json tampered = Json::parse(good);
  tampered["workloads"][0]["runs"][0]["metrics"]["rows_per_second"] = 1e9;
  Json unsigned_report = Json::parse(good);
  unsigned_report.erase("signature");
  const KeyPair stranger = GenerateKeyPair();
  LeaderboardOptions options = options_;
  const std::vector<SubmittedReport> reports = {
      {"good.json", good},
      {"tampered.json", tampered.dump()},
      {"unsigned.json", unsigned_report.dump()},
      {"stranger.json", SignedReport(stranger, 100, "2026-01-01T00:00:02Z")},
      {"again.json", good},
      {"garbage.json", "{not json"},
  };
  const Leaderboard board = BuildLeaderboard(reports, options);
  ASSERT_EQ(board.entries.size(), 1U);
  EXPECT_EQ(board.entries.front().source, "good.json");
  std::map<std::string, std::string> reasons;
  for (const RejectedReport& rejected : board.rejected) {
    std::string all;
    for (const std::string& reason : rejected.reasons) all += reason + "; ";
    reasons[rejected.source] = all;
  }
  EXPECT_THAT(reasons["tampered.json"], HasSubstr("signature.signed_sha256"));
  EXPECT_THAT(reasons["tampered.json"], HasSubstr("requirements["));  // the verdict recomputed
  EXPECT_THAT(reasons["unsigned.json"], HasSubstr("the report is not signed"));
  EXPECT_THAT(reasons["stranger.json"], HasSubstr("not a trusted key"));
  EXPECT_THAT(reasons["again.json"], HasSubstr("the same signed run as good.json"));
  EXPECT_THAT(reasons["garbage.json"], HasSubstr("not valid JSON"));

  options.releases = {{"9.9.9", std::string(64, '0')}};
  const std::vector<SubmittedReport> alone = {{"good.json", good}};
  const Leaderboard unreleased_board = BuildLeaderboard(alone, options);
  ASSERT_EQ(unreleased_board.rejected.size(), 1U);
  EXPECT_THAT(unreleased_board.rejected.front().reasons.front(),
              HasSubstr("is not a released version of the standard"));
}

TEST_F(LeaderboardTest, SiteHoldsEveryReportAndEscapesWhatVendorsWrote) {
  std::string hostile = SignedReport(keys_, 100, "2026-01-01T00:00:01Z");
  // Descriptive fields sit outside the signature with their own hash: a vendor may set them.
  Json edited = Json::parse(hostile);
  nlohmann::json fields = {{"name", "<script>alert(1)</script>"}};
  edited["descriptive"] = {{"fields", fields}, {"sha256", Sha256Hex(fields.dump())}};
  const std::vector<SubmittedReport> reports = {{"a.json", edited.dump(2)}, {"=cmd.json", "[]"}};
  const Leaderboard board = BuildLeaderboard(reports, options_);
  ASSERT_EQ(board.entries.size(), 1U) << board.rejected.front().reasons.front();
  const std::string index = RenderLeaderboardIndex(board, "test");
  EXPECT_THAT(index, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_THAT(index, Not(HasSubstr("<script>alert")));
  EXPECT_THAT(index, HasSubstr("reports/" + board.entries.front().id + ".html"));
  EXPECT_THAT(index, HasSubstr(">PERF-ROWS<br>rows_per_second (median, rows/s, higher"));
  // The rejected reports have their own page, linked from the index, and are not in the ranking.
  EXPECT_THAT(index, HasSubstr("<a href=\"rejected.html\">1 rejected</a>"));
  EXPECT_THAT(index, Not(HasSubstr("=cmd.json")));
  const std::string rejected = RenderLeaderboardRejected(board, "test");
  EXPECT_THAT(rejected, HasSubstr("<td>=cmd.json</td>"));
  EXPECT_THAT(rejected, HasSubstr("<table id=\"rejected\">"));
  const Leaderboard none_rejected = BuildLeaderboard({{"a.json", edited.dump(2)}}, options_);
  EXPECT_THAT(RenderLeaderboardRejected(none_rejected, "test"),
              HasSubstr("No report was rejected."));
  const std::string csv = RenderLeaderboardCsv(board);
  EXPECT_THAT(csv, HasSubstr(",PERF-ROWS,rows_per_second,median,rows/s,higher,100,1\r\n"));
  const std::string json = RenderLeaderboardJson(board, "test");
  EXPECT_THAT(json, HasSubstr("\"rank\": 1"));

  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("lepton-board-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(WriteLeaderboardSite(board, dir, "test").ok());
  EXPECT_TRUE(std::filesystem::exists(dir / "index.html"));
  EXPECT_TRUE(std::filesystem::exists(dir / "rejected.html"));
  EXPECT_TRUE(std::filesystem::exists(dir / "reports" / (board.entries.front().id + ".html")));
  std::ifstream copy(dir / "reports" / (board.entries.front().id + ".json"));
  std::ostringstream bytes;
  bytes << copy.rdbuf();
  EXPECT_EQ(bytes.str(), edited.dump(2));  // published exactly as submitted
  // Rebuilding replaces the earlier site; a directory that is not a site is never replaced.
  ASSERT_TRUE(WriteLeaderboardSite(board, dir, "test").ok());
  const std::filesystem::path other = dir / "reports";
  const Status refused = WriteLeaderboardSite(board, other, "test");
  EXPECT_THAT(refused.message(), HasSubstr("is not a leaderboard site"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace lepton::reports
