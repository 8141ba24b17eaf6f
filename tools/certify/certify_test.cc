#include "tools/certify/certify.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "conformance/core/read_file.h"
#include "reports/run_journal.h"

namespace lepton::certify {
namespace {

namespace fs = std::filesystem;

// Records what the run told its caller, in order.
class RecordingObserver final : public CertifyObserver {
 public:
  void OnCertifyStart(const RunStart& start) override {
    events.push_back("start " + start.plan->profile->name);
  }
  void OnNotice(std::string_view message) override { notices.emplace_back(message); }
  void OnWorkloadsDone() override { events.emplace_back("done"); }
  void OnWorkloadEnd(const bench::WorkloadRecord& record) override {
    events.push_back("workload " + record.name);
  }

  std::vector<std::string> events;
  std::vector<std::string> notices;
};

class CertifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("lepton_certify_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // The quick example suite: seconds long, and it certifies on any machine that runs the tests.
  CertifyOptions QuickOptions() const {
    CertifyOptions options;
    options.spec_path = "spec/examples/quick";
    options.profile = "quick";
    options.out_dir = dir_ / "out";
    options.threads_per_rank = 1;
    options.energy.choice = bench::MeterChoice::kNone;
    options.command_line = {"certify_test"};
    options.tool = {"0.0.0-test", "test-commit"};
    return options;
  }

  fs::path dir_;
};

TEST_F(CertifyTest, TheQuickSuiteCertifiesThroughTheLibrary) {
  RecordingObserver observer;
  auto run = Certify(QuickOptions(), observer);
  ASSERT_TRUE(run.has_value()) << run.error().status.ToString();
  EXPECT_EQ(run->outcome, Outcome::kCertified) << run->error.ToString();
  ASSERT_NE(run->report, nullptr);
  const reports::CertificationReport& report = *run->report;
  EXPECT_TRUE(report.summary.certified);
  ASSERT_EQ(report.verdicts.size(), report.plan->requirements.size());
  std::vector<std::string> ids;
  for (const judge::Verdict& verdict : report.verdicts) ids.push_back(verdict.requirement_id);
  EXPECT_THAT(ids, ::testing::ElementsAre("EX-LAPACK", "EX-ROWS-PER-S", "EX-COEF", "EX-DATA-DIGEST",
                                          "EX-SCALING"));
  // One process: EX-SCALING's applies_if (ranks >= 2) does not hold.
  EXPECT_EQ(report.verdicts.back().status, judge::VerdictStatus::kNotApplicable);
  EXPECT_EQ(report.tool.version, "0.0.0-test");

  EXPECT_EQ(run->report_path, dir_ / "out" / "report.json");
  auto json = ReadFileCapped(run->report_path, kMaxReportFileBytes);
  ASSERT_TRUE(json.has_value());
  EXPECT_THAT(*json, ::testing::HasSubstr("\"EX-COEF\""));
  EXPECT_THAT(*json, ::testing::HasSubstr("test-commit"));
  for (const char* rendering : {"report.html", "report.md", "report.junit.xml"}) {
    EXPECT_TRUE(fs::is_regular_file(dir_ / "out" / rendering)) << rendering;
  }
  // Every file went through a temporary beside it, renamed into place: none is left over, and a
  // complete run leaves no journal to resume.
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(dir_ / "out")) {
    EXPECT_THAT(entry.path().filename().string(), ::testing::Not(::testing::HasSubstr(".tmp.")));
  }
  EXPECT_FALSE(fs::exists(dir_ / "out" / reports::kJournalFileName));

  EXPECT_EQ(observer.events.front(), "start quick");
  EXPECT_EQ(observer.events.back(), "done");
  EXPECT_THAT(observer.events, ::testing::Contains("workload regression"));
}

TEST_F(CertifyTest, TooFewRunsAreNotCertifiedButTheReportIsWritten) {
  CertifyOptions options = QuickOptions();
  options.runs = 1;
  RecordingObserver observer;
  auto run = Certify(options, observer);
  ASSERT_TRUE(run.has_value()) << run.error().status.ToString();
  EXPECT_EQ(run->outcome, Outcome::kNotCertified);
  ASSERT_NE(run->report, nullptr);
  EXPECT_THAT(run->report->summary.blocking, ::testing::Contains("EX-ROWS-PER-S (not-measured)"));
  EXPECT_TRUE(fs::is_regular_file(dir_ / "out" / "report.json"));
}

TEST_F(CertifyTest, AnUnknownProfileIsRefusedBeforeAnythingRuns) {
  CertifyOptions options = QuickOptions();
  options.profile = "no-such-profile";
  RecordingObserver observer;
  auto run = Certify(options, observer);
  ASSERT_FALSE(run.has_value());
  EXPECT_EQ(run.error().kind, CertifyFailure::Kind::kProfileRefused);
  EXPECT_THAT(run.error().status.message(), ::testing::HasSubstr("no-such-profile"));
  EXPECT_FALSE(run.error().quiet);
  EXPECT_TRUE(observer.events.empty());
  EXPECT_FALSE(fs::exists(dir_ / "out"));
}

TEST_F(CertifyTest, AMissingSpecOrKeyIsAnInputError) {
  CertifyOptions options = QuickOptions();
  options.sign_key = dir_ / "no-such-key";
  RecordingObserver observer;
  auto run = Certify(options, observer);
  ASSERT_FALSE(run.has_value());
  EXPECT_EQ(run.error().kind, CertifyFailure::Kind::kInput);
  EXPECT_THAT(run.error().status.message(), ::testing::HasSubstr("no-such-key"));

  options = QuickOptions();
  options.spec_path = dir_ / "no-such-spec";
  run = Certify(options, observer);
  ASSERT_FALSE(run.has_value());
  EXPECT_EQ(run.error().kind, CertifyFailure::Kind::kInput);
}

}  // namespace
}  // namespace lepton::certify
