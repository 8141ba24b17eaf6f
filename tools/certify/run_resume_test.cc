#include "tools/certify/run_resume.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lepton::certify {
namespace {

CertifyOptions GivenOptions() {
  CertifyOptions options;
  options.spec_path = "spec/lepton-v1";
  options.profile = "cpu";
  options.runs = 3;
  options.threads_per_rank = 1;
  options.overlay_path = "/vendor/overlay.yaml";
  options.dataset_dirs = {{"mnist", "data/../data/mnist"}};
  options.sign_key = "keys/vendor";
  options.energy.choice = bench::MeterChoice::kPowerLog;
  options.energy.power_log = "/lab/power.csv";
  options.energy.power_log_tier = spec::EnergyTier::kBmc;
  options.command_line = {"lepton-cert", "run"};
  return options;
}

TEST(RunResumeTest, TheJournaledOptionsComeBackWithAbsolutePathsAndTheNewDirectory) {
  reports::RunJournal journal;
  journal.settings = SettingsFromOptions(GivenOptions());
  journal.command_line = {"lepton-cert", "run"};
  const std::string cwd = std::filesystem::current_path().string();
  EXPECT_EQ(journal.settings.spec_path, cwd + "/spec/lepton-v1");
  EXPECT_EQ(journal.settings.dataset_dirs.at("mnist"), cwd + "/data/mnist");
  const auto options = OptionsFromJournal(journal, "/runs/out");
  ASSERT_TRUE(options.has_value()) << options.error().message();
  EXPECT_EQ(options->out_dir, "/runs/out");
  EXPECT_EQ(options->profile, "cpu");
  EXPECT_EQ(options->runs, 3);
  EXPECT_EQ(options->threads_per_rank, 1);
  EXPECT_EQ(options->overlay_path, "/vendor/overlay.yaml");
  EXPECT_EQ(options->sign_key, cwd + "/keys/vendor");
  EXPECT_EQ(options->energy.choice, bench::MeterChoice::kPowerLog);
  EXPECT_EQ(options->energy.power_log, "/lab/power.csv");
  EXPECT_EQ(options->energy.power_log_tier, spec::EnergyTier::kBmc);
  EXPECT_EQ(options->command_line, journal.command_line);
  EXPECT_FALSE(options->resume_dir.has_value());
}

TEST(RunResumeTest, AnUnknownMeterInTheJournalIsAnError) {
  reports::RunJournal journal;
  journal.settings = SettingsFromOptions(GivenOptions());
  journal.settings.energy = "thermometer";
  EXPECT_THAT(OptionsFromJournal(journal, "/runs/out").error().message(),
              ::testing::HasSubstr("unknown energy meter 'thermometer'"));
}

class SameRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    journal_.tool_version = "0.1.0";
    journal_.git_commit = "abc";
    journal_.spec_sha256 = "s1";
    journal_.facts = {{{"gpus", 0}, {"ranks", 1}}, {{"cpu_cores", "no affinity"}}};
  }
  Status Check(std::string_view commit, std::string_view spec, std::string_view overlay,
               const spec::Facts& facts) {
    return CheckSameRun(journal_, "0.1.0", commit, spec, overlay, facts);
  }
  reports::RunJournal journal_;
};

TEST_F(SameRunTest, OnlyTheSameBuildSpecOverlayAndFactsMakeOneRun) {
  EXPECT_TRUE(Check("abc", "s1", "", journal_.facts).ok());
  EXPECT_THAT(Check("def", "s1", "", journal_.facts).message(),
              ::testing::HasSubstr("written by lepton-cert 0.1.0 (abc), this is 0.1.0 (def)"));
  EXPECT_THAT(Check("abc", "s2", "", journal_.facts).message(),
              ::testing::HasSubstr("the spec changed since the journal was written"));
  EXPECT_THAT(Check("abc", "s1", "o1", journal_.facts).message(),
              ::testing::HasSubstr("the overlay changed"));
  spec::Facts more_gpus = journal_.facts;
  more_gpus.values["gpus"] = 1;
  EXPECT_THAT(Check("abc", "s1", "", more_gpus).message(),
              ::testing::HasSubstr("the machine's fact 'gpus' changed since the journal was "
                                   "written (0 then, 1 now)"));
  spec::Facts cores_known = journal_.facts;
  cores_known.unknown_reasons.clear();
  cores_known.values["cpu_cores"] = 2;
  EXPECT_THAT(Check("abc", "s1", "", cores_known).message(),
              ::testing::HasSubstr("'cpu_cores' changed since the journal was written (unknown "
                                   "(no affinity) then, 2 now)"));
  EXPECT_EQ(Check("abc", "s1", "", more_gpus).code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace lepton::certify
