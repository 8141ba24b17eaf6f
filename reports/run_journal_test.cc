#include "reports/run_journal.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <limits>

#include "conformance/core/atomic_file.h"
#include "reports/json_report.h"
#include "reports/test_report_fixture.h"

namespace lepton::reports {
namespace {

namespace fs = std::filesystem;

// Every kind of field a record carries: steps, metric types, non-finite values, curves,
// artifacts, energy evidence; and records that never ran.
std::vector<records::WorkloadRecord> Records() {
  records::WorkloadRecord trained;
  trained.name = "mnist-train";
  trained.type = "mnist_mlp_train";
  trained.device = "cpu";
  trained.runs_planned = 1;
  trained.warmup_runs = 1;
  records::RunRecord warmup;
  warmup.warmup = true;
  warmup.steps = {{"epoch_1", 0.5}};
  trained.runs.push_back(warmup);
  records::RunRecord run;
  run.steps = {{"epoch_1", 0.4375}, {"epoch_2", 0.40625}};
  run.metrics.values["accuracy"] = 0.981;
  run.metrics.values["converged"] = true;
  run.metrics.values["dataset"] = std::string("fashion-mnist");
  run.metrics.values["holdout_mse"] = std::numeric_limits<double>::infinity();
  run.metrics.not_measured["energy_j"] = "no meter: RAPL is not exposed in this VM";
  run.metrics.series["test_accuracy"] = {0.9, std::numeric_limits<double>::quiet_NaN(), 0.98};
  run.metrics.artifacts["model.onnx"] = std::string("\x08\x08\0binary", 10);
  records::EnergyEvidence energy;
  energy.meter = "rapl";
  energy.tier = spec::EnergyTier::kOnDieCounter;
  energy.domains = {"package-0"};
  energy.source = "/sys/class/powercap";
  energy.method = "counter";
  energy.limits = "CPU only";
  energy.sample_hz = 10;
  energy.samples = 12;
  energy.windows = 2;
  energy.passes = 1;
  energy.covered_s = 0.84375;
  energy.idle_watts = 31.5;
  energy.idle_s = 2;
  run.energy = energy;
  run.telemetry = GpuTelemetrySummary(true);
  trained.runs.push_back(run);
  trained.telemetry = GpuTelemetrySummary(true, 1);
  trained.telemetry->gpus[0].fields[0].median = 1234.5625;  // doubles read back exactly

  records::WorkloadRecord unavailable;
  unavailable.name = "mnist-official";
  unavailable.type = "mnist_mlp_train";
  unavailable.device = "cpu";
  unavailable.runs_planned = 3;
  unavailable.unavailable_reason = "no directory given (--data DIR)";
  records::WorkloadRecord failed = unavailable;
  failed.name = "regression";
  failed.unavailable_reason.clear();
  failed.error = "prepare: INTERNAL: boom";
  return {trained, unavailable, failed};
}

class RunJournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("lepton_journal_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    journal_.settings.spec_path = "/specs/lepton-v1";
    journal_.settings.profile = "ci";
    journal_.settings.runs = 2;
    journal_.settings.threads_per_rank = 4;
    journal_.settings.dataset_dirs = {{"mnist", "/data/mnist"}};
    journal_.settings.power_log = "/lab/power.csv";
    journal_.settings.power_log_source = "analyser";
    journal_.command_line = {"lepton-cert", "run", "--profile", "ci"};
    journal_.tool_version = "0.1.0";
    journal_.git_commit = "abc123";
    journal_.spec_sha256 = "ff00";
    journal_.facts = {{{"gpus", 0}, {"ranks", 1}}, {{"cuda_driver", "no libcuda"}}};
    journal_.started_at = "2026-11-23T12:00:00Z";
    journal_.elapsed_s = 12.5;
    journal_.interruptions = {"SIGINT"};
    journal_.workloads = Records();
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Writes the journal and its artifacts as the run command does.
  void Write() {
    ASSERT_TRUE(WriteArtifacts(journal_.workloads, dir_).ok());
    ASSERT_TRUE(WriteFileAtomically(dir_ / kJournalFileName, JournalToJson(journal_)).ok());
  }

  fs::path dir_;
  RunJournal journal_;
};

TEST_F(RunJournalTest, EveryRecordReadsBackAsTheReportWouldWriteIt) {
  Write();
  const auto read = ReadJournal(dir_);
  ASSERT_TRUE(read.has_value()) << read.error().message();
  ASSERT_EQ(read->workloads.size(), journal_.workloads.size());
  for (std::size_t i = 0; i < journal_.workloads.size(); ++i) {
    EXPECT_EQ(WorkloadRecordToJson(read->workloads[i]), WorkloadRecordToJson(journal_.workloads[i]))
        << journal_.workloads[i].name;
  }
  const records::RunRecord& run = read->workloads[0].runs[1];
  ASSERT_TRUE(run.telemetry.has_value());
  EXPECT_TRUE(run.telemetry->thermal_or_power_throttled);
  EXPECT_EQ(run.telemetry->gpus.at(0).throttle_reasons.at(0).name, "sw_power_cap");
  EXPECT_EQ(run.telemetry->gpus[0].fields.at(1).not_measured_reason,
            "Not Supported (NVML error 3)");
  ASSERT_TRUE(read->workloads[0].telemetry.has_value());
  EXPECT_EQ(read->workloads[0].telemetry->gpus[0].fields[0].median, 1234.5625);
  EXPECT_FALSE(read->workloads[1].telemetry.has_value());
  EXPECT_EQ(run.metrics.artifacts.at("model.onnx"), std::string("\x08\x08\0binary", 10));
  EXPECT_EQ(std::get<double>(run.metrics.values.at("holdout_mse")),
            std::numeric_limits<double>::infinity());
  EXPECT_EQ(read->settings.spec_path, journal_.settings.spec_path);
  EXPECT_EQ(read->settings.runs, 2);
  EXPECT_EQ(read->settings.threads_per_rank, 4);
  EXPECT_EQ(read->settings.dataset_dirs, journal_.settings.dataset_dirs);
  EXPECT_EQ(read->settings.power_log, journal_.settings.power_log);
  EXPECT_FALSE(read->settings.overlay_path.has_value());
  EXPECT_EQ(read->facts.values, journal_.facts.values);
  EXPECT_EQ(read->facts.unknown_reasons, journal_.facts.unknown_reasons);
  EXPECT_EQ(read->interruptions, journal_.interruptions);
  EXPECT_EQ(read->elapsed_s, 12.5);
  EXPECT_EQ(read->spec_sha256, "ff00");
  EXPECT_TRUE(read->overlay_sha256.empty());
}

TEST_F(RunJournalTest, AnArtifactChangedSinceItWasJournaledIsRefused) {
  Write();
  std::ofstream(dir_ / "mnist-train.run1.model.onnx", std::ios::binary) << "edited";
  const auto read = ReadJournal(dir_);
  ASSERT_FALSE(read.has_value());
  EXPECT_THAT(read.error().message(),
              ::testing::HasSubstr("mnist-train.run1.model.onnx does not match the SHA-256"));
}

TEST_F(RunJournalTest, NoJournalIsNotFoundAndAMalformedOneNamesTheFile) {
  EXPECT_EQ(ReadJournal(dir_).error().code(), StatusCode::kNotFound);
  std::ofstream(dir_ / kJournalFileName) << R"({"format": "lepton-cert-journal/1", "settings": 3})";
  const auto malformed = ReadJournal(dir_);
  ASSERT_FALSE(malformed.has_value());
  EXPECT_EQ(malformed.error().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(malformed.error().message(),
              ::testing::StartsWith((dir_ / kJournalFileName).string() + ": malformed: "));
  std::ofstream(dir_ / kJournalFileName) << R"({"format": "something-else"})";
  EXPECT_THAT(ReadJournal(dir_).error().message(),
              ::testing::HasSubstr("not a journal of format lepton-cert-journal/1"));
}

TEST_F(RunJournalTest, AnArtifactPathOutsideTheDirectoryIsRefused) {
  Write();
  std::string text = JournalToJson(journal_);
  const std::string file = "mnist-train.run1.model.onnx";
  text.replace(text.find("\"" + file + "\""), file.size() + 2, "\"../escape.onnx\"");
  std::ofstream(dir_ / kJournalFileName) << text;
  EXPECT_THAT(ReadJournal(dir_).error().message(),
              ::testing::HasSubstr("artifact file '../escape.onnx' is not a plain file name"));
}

}  // namespace
}  // namespace lepton::reports
