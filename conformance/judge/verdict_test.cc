#include "conformance/judge/verdict.h"

#include <gtest/gtest.h>

#include <limits>

namespace lepton::judge {
namespace {

using records::RunRecord;
using records::WorkloadRecord;

spec::Requirement MakeRequirement(spec::Comparison op, std::optional<spec::Statistic> statistic,
                                  std::string unit = "rows/s") {
  spec::Requirement requirement;
  requirement.id = "PERF-X";
  requirement.level = spec::Level::kMust;
  requirement.workload = "w";
  requirement.metric = "m";
  requirement.unit = std::move(unit);
  requirement.statistic = statistic;
  requirement.threshold.op = op;
  return requirement;
}

spec::PlannedRequirement Plan(const spec::Requirement& requirement, spec::Value threshold,
                              int runs) {
  spec::PlannedRequirement planned;
  planned.requirement = &requirement;
  planned.threshold = std::move(threshold);
  planned.runs = runs;
  return planned;
}

WorkloadRecord RecordWith(std::vector<spec::Value> values) {
  WorkloadRecord record;
  record.name = "w";
  RunRecord warmup;
  warmup.warmup = true;
  warmup.metrics.values["m"] = 1e30;  // a warm-up value must never be judged
  record.runs.push_back(warmup);
  for (std::size_t i = 0; i < values.size(); ++i) {
    RunRecord run;
    run.index = static_cast<int>(i);
    run.metrics.values["m"] = values[i];
    record.runs.push_back(run);
  }
  return record;
}

TEST(VerdictTest, PassesWhenStatisticMeetsThreshold) {
  const auto requirement =
      MakeRequirement(spec::Comparison::kGreaterEqual, spec::Statistic::kMedian);
  const auto record = RecordWith({10.0, 30.0, 20.0});
  const Verdict verdict = JudgeRequirement(Plan(requirement, 20.0, 3), &record);
  EXPECT_EQ(verdict.status, VerdictStatus::kPass);
  EXPECT_EQ(std::get<double>(*verdict.statistic_value), 20.0);
  EXPECT_EQ(verdict.values.size(), 3u);
  EXPECT_EQ(verdict.reason, "median 20 rows/s meets >= 20 rows/s over 3 runs");
}

TEST(VerdictTest, JudgeAllJudgesEveryRequirementInPlanOrder) {
  const auto met = MakeRequirement(spec::Comparison::kGreaterEqual, spec::Statistic::kMedian);
  auto unrun = MakeRequirement(spec::Comparison::kGreaterEqual, spec::Statistic::kMedian);
  unrun.id = "PERF-Y";
  unrun.workload = "not-run";
  spec::Plan plan;
  plan.requirements = {Plan(met, 20.0, 3), Plan(unrun, 20.0, 3)};
  const std::vector<Verdict> verdicts = JudgeAll(plan, {RecordWith({10.0, 30.0, 20.0})});
  ASSERT_EQ(verdicts.size(), 2u);
  EXPECT_EQ(verdicts[0].requirement_id, "PERF-X");
  EXPECT_EQ(verdicts[0].status, VerdictStatus::kPass);
  EXPECT_EQ(verdicts[1].requirement_id, "PERF-Y");
  EXPECT_NE(verdicts[1].status, VerdictStatus::kPass);
}

TEST(VerdictTest, FailsWhenStatisticMissesThreshold) {
  const auto requirement = MakeRequirement(spec::Comparison::kLess, spec::Statistic::kMax, "s");
  const auto record = RecordWith({1.0, 2.5});
  const Verdict verdict = JudgeRequirement(Plan(requirement, 2.5, 2), &record);
  EXPECT_EQ(verdict.status, VerdictStatus::kFail);
  EXPECT_EQ(verdict.reason, "max 2.5 s does not meet < 2.5 s over 2 runs");
}

TEST(VerdictTest, NotApplicableCarriesTheCondition) {
  const auto requirement = MakeRequirement(spec::Comparison::kLess, spec::Statistic::kMax);
  auto planned = Plan(requirement, 1.0, 1);
  planned.applicable = false;
  planned.not_applicable_reason = "applies_if ranks >= 2 is false: ranks = 1";
  const Verdict verdict = JudgeRequirement(planned, nullptr);
  EXPECT_EQ(verdict.status, VerdictStatus::kNotApplicable);
  EXPECT_EQ(verdict.reason, "applies_if ranks >= 2 is false: ranks = 1");
}

TEST(VerdictTest, TooFewRunsIsNotMeasured) {
  const auto requirement = MakeRequirement(spec::Comparison::kGreater, spec::Statistic::kMedian);
  const auto record = RecordWith({5.0, 6.0});
  const Verdict verdict = JudgeRequirement(Plan(requirement, 1.0, 5), &record);
  EXPECT_EQ(verdict.status, VerdictStatus::kNotMeasured);
  EXPECT_EQ(verdict.reason, "the spec requires 5 runs, 2 measured");
}

TEST(VerdictTest, MetricNotMeasuredCarriesReason) {
  const auto requirement = MakeRequirement(spec::Comparison::kGreater, spec::Statistic::kMedian);
  auto record = RecordWith({5.0});
  record.runs[1].metrics.values.erase("m");
  record.runs[1].metrics.not_measured["m"] = "no meter";
  const Verdict verdict = JudgeRequirement(Plan(requirement, 1.0, 1), &record);
  EXPECT_EQ(verdict.status, VerdictStatus::kNotMeasured);
  EXPECT_EQ(verdict.reason, "m not measured in run 1: no meter");
}

TEST(VerdictTest, UnavailableWorkloadIsNotMeasured) {
  const auto requirement = MakeRequirement(spec::Comparison::kGreater, spec::Statistic::kMedian);
  WorkloadRecord record;
  record.name = "w";
  record.unavailable_reason = "no CUDA";
  const Verdict verdict = JudgeRequirement(Plan(requirement, 1.0, 1), &record);
  EXPECT_EQ(verdict.status, VerdictStatus::kNotMeasured);
  EXPECT_EQ(verdict.reason, "workload 'w' unavailable: no CUDA");
}

TEST(VerdictTest, FailedRunOrWorkloadIsError) {
  const auto requirement = MakeRequirement(spec::Comparison::kGreater, spec::Statistic::kMedian);
  auto record = RecordWith({5.0, 6.0});
  record.runs[2].error = "step sgd: diverged";
  EXPECT_EQ(JudgeRequirement(Plan(requirement, 1.0, 2), &record).reason,
            "run 2 failed: step sgd: diverged");
  WorkloadRecord broken;
  broken.name = "w";
  broken.error = "prepare: bad file";
  const Verdict verdict = JudgeRequirement(Plan(requirement, 1.0, 1), &broken);
  EXPECT_EQ(verdict.status, VerdictStatus::kError);
  EXPECT_EQ(JudgeRequirement(Plan(requirement, 1.0, 1), nullptr).status, VerdictStatus::kError);
}

TEST(VerdictTest, NonFiniteMeasurementIsErrorNeverPass) {
  const auto requirement = MakeRequirement(spec::Comparison::kLessEqual, spec::Statistic::kMedian);
  const auto record = RecordWith({std::numeric_limits<double>::quiet_NaN()});
  const Verdict verdict = JudgeRequirement(Plan(requirement, 1.0, 1), &record);
  EXPECT_EQ(verdict.status, VerdictStatus::kError);
  EXPECT_EQ(verdict.reason, "cannot compute median: non-finite value in the sample");
}

TEST(VerdictTest, VersionsCompareComponentWise) {
  const auto requirement =
      MakeRequirement(spec::Comparison::kGreaterEqual, std::nullopt, "version");
  const auto record = RecordWith({std::string("3.11.0")});
  EXPECT_EQ(JudgeRequirement(Plan(requirement, std::string("3.9"), 1), &record).status,
            VerdictStatus::kPass);
  EXPECT_EQ(JudgeRequirement(Plan(requirement, std::string("3.12"), 1), &record).status,
            VerdictStatus::kFail);
}

TEST(VerdictTest, DisagreeingNonNumericRunsAreError) {
  const auto requirement = MakeRequirement(spec::Comparison::kEqual, std::nullopt, "sha256");
  const auto record = RecordWith({std::string("aa"), std::string("bb")});
  const Verdict verdict = JudgeRequirement(Plan(requirement, std::string("aa"), 2), &record);
  EXPECT_EQ(verdict.status, VerdictStatus::kError);
  EXPECT_EQ(verdict.reason, "m differs between runs: aa vs bb");
}

TEST(VerdictTest, BooleansCompareForEquality) {
  const auto requirement = MakeRequirement(spec::Comparison::kEqual, std::nullopt, "bool");
  const auto record = RecordWith({false});
  const Verdict verdict = JudgeRequirement(Plan(requirement, true, 1), &record);
  EXPECT_EQ(verdict.status, VerdictStatus::kFail);
  EXPECT_EQ(verdict.reason, "value false bool does not meet == true bool over 1 run");
}

TEST(VerdictTest, BooleansThatDifferBetweenRunsFailOnTheRunThatMisses) {
  const auto requirement = MakeRequirement(spec::Comparison::kEqual, std::nullopt, "bool");
  const auto record = RecordWith({false, true, false});
  const Verdict verdict = JudgeRequirement(Plan(requirement, false, 3), &record);
  EXPECT_EQ(verdict.status, VerdictStatus::kFail);
  EXPECT_EQ(verdict.reason, "value true bool does not meet == false bool over 3 runs");
  const auto agreeing = RecordWith({true, true});
  EXPECT_EQ(JudgeRequirement(Plan(requirement, true, 2), &agreeing).status, VerdictStatus::kPass);
}

spec::Requirement EnergyRequirement(spec::Level level) {
  auto requirement =
      MakeRequirement(spec::Comparison::kLessEqual, spec::Statistic::kMedian, "J/sample");
  requirement.id = "ENERGY-X";
  requirement.kind = spec::RequirementKind::kEnergy;
  requirement.level = level;
  requirement.methods = {spec::EnergyTier::kAnalyser, spec::EnergyTier::kOnDieCounter};
  return requirement;
}

WorkloadRecord MeteredRecord(std::vector<double> values, spec::EnergyTier tier) {
  WorkloadRecord record = RecordWith(std::vector<spec::Value>(values.begin(), values.end()));
  for (RunRecord& run : record.runs) {
    run.energy = records::EnergyEvidence{};
    run.energy->meter = "rapl";
    run.energy->tier = tier;
  }
  return record;
}

TEST(EnergyVerdictTest, AcceptedMethodIsJudgedOnTheFigure) {
  const auto requirement = EnergyRequirement(spec::Level::kMust);
  const auto record = MeteredRecord({0.002, 0.003}, spec::EnergyTier::kOnDieCounter);
  const Verdict verdict = JudgeRequirement(Plan(requirement, 0.01, 2), &record);
  EXPECT_EQ(verdict.status, VerdictStatus::kPass);
  EXPECT_EQ(verdict.reason, "median 0.0025 J/sample meets <= 0.01 J/sample over 2 runs");
}

TEST(EnergyVerdictTest, AMethodTheRequirementDoesNotAcceptIsNotMeasured) {
  const auto requirement = EnergyRequirement(spec::Level::kMust);
  auto record = MeteredRecord({0.002}, spec::EnergyTier::kOnDieSampled);
  record.runs[1].energy->meter = "nvml";
  const Verdict verdict = JudgeRequirement(Plan(requirement, 0.01, 1), &record);
  EXPECT_EQ(verdict.status, VerdictStatus::kNotMeasured);
  EXPECT_EQ(verdict.reason,
            "run 1 measured energy by on-die-sampled (nvml); this requirement accepts analyser, "
            "on-die-counter");
}

TEST(EnergyVerdictTest, AFigureWithoutItsMethodIsAnError) {
  const auto requirement = EnergyRequirement(spec::Level::kMust);
  const auto record = RecordWith({0.002});
  const Verdict verdict = JudgeRequirement(Plan(requirement, 0.01, 1), &record);
  EXPECT_EQ(verdict.status, VerdictStatus::kError);
  EXPECT_EQ(verdict.reason, "run 1 has m without the method that measured it");
}

TEST(EnergyVerdictTest, NoMeterFailsAMustAndNeverPassesAShould) {
  const auto must = EnergyRequirement(spec::Level::kMust);
  auto should = EnergyRequirement(spec::Level::kShould);
  should.id = "ENERGY-Y";
  WorkloadRecord record;
  record.name = "w";
  RunRecord run;
  run.energy = records::EnergyEvidence{};
  run.energy->not_measured_reason = "RAPL: /sys/class/powercap does not exist";
  run.metrics.not_measured["m"] = run.energy->not_measured_reason;
  record.runs.push_back(run);
  const std::vector<spec::PlannedRequirement> planned = {Plan(must, 0.01, 1),
                                                         Plan(should, 0.01, 1)};
  const std::vector<Verdict> verdicts = {JudgeRequirement(planned[0], &record),
                                         JudgeRequirement(planned[1], &record)};
  for (const Verdict& verdict : verdicts) {
    EXPECT_EQ(verdict.status, VerdictStatus::kNotMeasured);
    EXPECT_EQ(verdict.reason, "m not measured in run 1: RAPL: /sys/class/powercap does not exist");
  }
  const Summary summary = Summarize(planned, verdicts);
  EXPECT_FALSE(summary.certified);
  EXPECT_EQ(summary.must_passed, 0);
  EXPECT_EQ(summary.should_passed, 0);
  EXPECT_EQ(summary.blocking, (std::vector<std::string>{"ENERGY-X (not-measured)"}));
}

TEST(ComputeStatisticTest, DispatchesEveryStatistic) {
  const std::vector<double> values = {1, 2, 3, 4, 100};
  EXPECT_EQ(ComputeStatistic(spec::Statistic::kMedian, values).value(), 3);
  EXPECT_EQ(ComputeStatistic(spec::Statistic::kMean, values).value(), 22);
  EXPECT_EQ(ComputeStatistic(spec::Statistic::kMin, values).value(), 1);
  EXPECT_EQ(ComputeStatistic(spec::Statistic::kMax, values).value(), 100);
  EXPECT_DOUBLE_EQ(ComputeStatistic(spec::Statistic::kP90, values).value(), 61.6);
  EXPECT_DOUBLE_EQ(ComputeStatistic(spec::Statistic::kP99, values).value(), 96.16);
  EXPECT_FALSE(ComputeStatistic(spec::Statistic::kP99, std::vector<double>{}).has_value());
}

TEST(SummaryTest, OnlyPassingMustsCertify) {
  auto must = MakeRequirement(spec::Comparison::kEqual, std::nullopt);
  auto should = MakeRequirement(spec::Comparison::kEqual, std::nullopt);
  should.level = spec::Level::kShould;
  const std::vector<spec::PlannedRequirement> planned = {Plan(must, 1.0, 1), Plan(should, 1.0, 1)};
  Verdict pass;
  pass.requirement_id = "A";
  pass.status = VerdictStatus::kPass;
  Verdict fail = pass;
  fail.requirement_id = "B";
  fail.status = VerdictStatus::kFail;
  const Summary shoulds_fail = Summarize(planned, {pass, fail});
  EXPECT_TRUE(shoulds_fail.certified);
  EXPECT_EQ(shoulds_fail.should_passed, 0);
  for (VerdictStatus status :
       {VerdictStatus::kFail, VerdictStatus::kNotMeasured, VerdictStatus::kError}) {
    Verdict bad = pass;
    bad.status = status;
    const Summary summary = Summarize(planned, {bad, pass});
    EXPECT_FALSE(summary.certified) << VerdictStatusName(status);
    ASSERT_EQ(summary.blocking.size(), 1u);
    EXPECT_EQ(summary.blocking[0], "A (" + std::string(VerdictStatusName(status)) + ")");
  }
}

TEST(SummaryTest, AnIncompleteRunCertifiesNothingEvenWhenEveryVerdictPassed) {
  auto must = MakeRequirement(spec::Comparison::kEqual, std::nullopt);
  auto should = MakeRequirement(spec::Comparison::kEqual, std::nullopt);
  should.level = spec::Level::kShould;
  const std::vector<spec::PlannedRequirement> planned = {Plan(must, 1.0, 1), Plan(should, 1.0, 1)};
  Verdict pass;
  pass.requirement_id = "A";
  pass.status = VerdictStatus::kPass;
  Verdict not_run = pass;
  not_run.status = VerdictStatus::kNotMeasured;  // a SHOULD whose workload the signal skipped
  const Summary summary = Summarize(planned, {pass, not_run}, "interrupted by SIGTERM");
  EXPECT_FALSE(summary.certified);
  EXPECT_EQ(summary.blocking, std::vector<std::string>{"run incomplete: interrupted by SIGTERM"});
}

TEST(SummaryTest, NoMustJudgedIsNotCertified) {
  auto must = MakeRequirement(spec::Comparison::kEqual, std::nullopt);
  Verdict skipped;
  skipped.status = VerdictStatus::kNotApplicable;
  const Summary summary = Summarize({Plan(must, 1.0, 1)}, {skipped});
  EXPECT_FALSE(summary.certified);
  EXPECT_EQ(summary.not_applicable, 1);
}

}  // namespace
}  // namespace lepton::judge
