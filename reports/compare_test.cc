#include "reports/compare.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "reports/compare_render.h"

namespace lepton::reports {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

// The fields of a report that compare reads, with one workload and chosen per-run values.
std::string Report(const std::vector<double>& seconds, const std::vector<double>& rates,
                   int rows = 1000, const std::string& op = "<=") {
  Json runs = Json::array();
  for (std::size_t i = 0; i < seconds.size(); ++i) {
    runs.push_back({{"index", i},
                    {"warmup", false},
                    {"error", nullptr},
                    {"metrics",
                     {{"solve_time_s", seconds[i]},
                      {"rows_per_second", rates[i]},
                      {"holdout_mse", 0.25},
                      {"dataset_sha256", "abc"}}}});
  }
  // A warm-up run and a failed run are never compared.
  runs.push_back(
      {{"index", 0}, {"warmup", true}, {"error", nullptr}, {"metrics", {{"solve_time_s", 1e9}}}});
  runs.push_back({{"index", 9},
                  {"warmup", false},
                  {"error", "step failed"},
                  {"metrics", {{"solve_time_s", 1e9}}}});
  Json report = {{"spec", {{"id", "lepton"}, {"version", "1.0.0"}, {"sha256", "00ff"}}},
                 {"profile", {{"name", "ci"}}},
                 {"requirements",
                  {{{"workload", "regression"},
                    {"metric", "solve_time_s"},
                    {"unit", "s"},
                    {"threshold", {{"op", op}, {"value", 1.0}}}}}},
                 {"workloads",
                  {{{"name", "regression"},
                    {"type", "linear_regression"},
                    {"params", {{"dataset.rows", rows}}},
                    {"runs", runs}}}}};
  return report.dump();
}

const MetricComparison& Row(const Comparison& comparison, const std::string& metric) {
  for (const MetricComparison& row : comparison.metrics) {
    if (row.metric == metric) return row;
  }
  throw std::runtime_error("no row for " + metric);
}

TEST(CompareReports, FlagsASignificantSlowdownBeyondTheMargin) {
  const std::string baseline = Report({1.00, 1.01, 0.99, 1.02, 1.00}, {1000, 990, 1010, 980, 1000});
  const std::string candidate =
      Report({1.20, 1.21, 1.19, 1.22, 1.20}, {1001, 991, 1009, 981, 1000});
  auto comparison = CompareReports(baseline, "base.json", candidate, "cand.json", {});
  ASSERT_TRUE(comparison.has_value()) << comparison.error().message();
  const MetricComparison& time = Row(*comparison, "solve_time_s");
  EXPECT_EQ(time.better, "lower");
  EXPECT_EQ(time.baseline.size(), 5U);  // warm-up and failed runs left out
  EXPECT_NEAR(time.change, 0.2, 1e-12);
  EXPECT_LT(time.p_value, 0.05);
  EXPECT_EQ(time.verdict, ChangeVerdict::kRegression);
  EXPECT_LE(time.change_low, 0.2);
  EXPECT_GE(time.change_high, 0.2);
  EXPECT_EQ(Row(*comparison, "rows_per_second").verdict, ChangeVerdict::kNoChange);
  EXPECT_EQ(Row(*comparison, "rows_per_second").better, "higher");  // from the unit
  EXPECT_EQ(comparison->regressions, 1);
  // Digests and other strings are not compared.
  for (const MetricComparison& row : comparison->metrics) EXPECT_NE(row.metric, "dataset_sha256");

  const std::string junit = RenderComparisonJUnit(*comparison);
  EXPECT_THAT(junit, HasSubstr("failures=\"1\""));
  EXPECT_THAT(junit, HasSubstr("<failure type=\"regression\""));
  EXPECT_THAT(RenderComparisonText(*comparison), HasSubstr("REGRESSION"));
  EXPECT_THAT(RenderComparisonMarkdown(*comparison), HasSubstr("**REGRESSION**"));
}

TEST(CompareReports, ASlowdownWithinTheMarginIsNotARegression) {
  const std::string baseline = Report({1.00, 1.01, 0.99, 1.02, 1.00}, {1, 1, 1, 1, 1});
  const std::string candidate = Report({1.03, 1.04, 1.02, 1.05, 1.03}, {1, 1, 1, 1, 1});
  auto comparison = CompareReports(baseline, "b", candidate, "c", {.max_regression = 0.05});
  ASSERT_TRUE(comparison.has_value());
  EXPECT_EQ(Row(*comparison, "solve_time_s").verdict, ChangeVerdict::kWithinMargin);
  EXPECT_EQ(comparison->regressions, 0);
  auto strict = CompareReports(baseline, "b", candidate, "c", {.max_regression = 0.01});
  EXPECT_EQ(Row(*strict, "solve_time_s").verdict, ChangeVerdict::kRegression);
}

TEST(CompareReports, AFasterCandidateIsAnImprovementAndTheDirectionFollowsTheSpec) {
  const std::string baseline = Report({1.0, 1.1, 1.0, 1.1, 1.0}, {1, 1, 1, 1, 1});
  const std::string candidate = Report({0.5, 0.6, 0.5, 0.6, 0.5}, {1, 1, 1, 1, 1});
  auto comparison = CompareReports(baseline, "b", candidate, "c", {});
  EXPECT_EQ(Row(*comparison, "solve_time_s").verdict, ChangeVerdict::kImprovement);
  // A spec that bounds the metric from below says higher is better: now it is a regression.
  const std::string inverted = Report({0.5, 0.6, 0.5, 0.6, 0.5}, {1, 1, 1, 1, 1}, 1000, ">=");
  auto flipped = CompareReports(baseline, "b", inverted, "c", {});
  EXPECT_EQ(Row(*flipped, "solve_time_s").better, "higher");
  EXPECT_EQ(Row(*flipped, "solve_time_s").verdict, ChangeVerdict::kRegression);
}

TEST(CompareReports, TooFewRunsAreUndecidedNotGuessed) {
  const std::string baseline = Report({1.0, 1.0, 1.0}, {1, 1, 1});
  const std::string candidate = Report({3.0, 3.0, 3.0}, {1, 1, 1});
  auto comparison = CompareReports(baseline, "b", candidate, "c", {});
  const MetricComparison& time = Row(*comparison, "solve_time_s");
  EXPECT_EQ(time.verdict, ChangeVerdict::kUndecided);
  EXPECT_THAT(time.note, HasSubstr("smallest possible p is 0.1"));
  EXPECT_EQ(comparison->regressions, 0);
  EXPECT_EQ(comparison->undecided, 2);  // holdout_mse has no direction, so it is not undecided
  EXPECT_EQ(Row(*comparison, "holdout_mse").verdict, ChangeVerdict::kDirectionUnknown);
  EXPECT_THAT(RenderComparisonJUnit(*comparison), HasSubstr("<skipped message=\"undecided"));
}

TEST(CompareReports, DifferentParametersAreNotComparable) {
  const std::string baseline = Report({1, 1, 1, 1, 1}, {1, 1, 1, 1, 1}, 1000);
  const std::string candidate = Report({2, 2, 2, 2, 2}, {1, 1, 1, 1, 1}, 2000);
  auto comparison = CompareReports(baseline, "b", candidate, "c", {});
  const MetricComparison& time = Row(*comparison, "solve_time_s");
  EXPECT_EQ(time.verdict, ChangeVerdict::kNotComparable);
  EXPECT_THAT(time.note, HasSubstr("parameters differ: dataset.rows"));
  EXPECT_EQ(comparison->regressions, 0);
}

// The report above with joules_per_sample in every timed run, measured by `tier` through `meter`.
std::string EnergyReport(const std::vector<double>& joules, const std::string& tier,
                         const std::string& meter) {
  Json report = Json::parse(Report(joules, joules));
  for (Json& run : report["workloads"][0]["runs"]) {
    if (run["warmup"].get<bool>() || !run["error"].is_null()) continue;
    run["metrics"]["joules_per_sample"] = run["metrics"]["solve_time_s"];
    run["energy"] = {{"tier", tier}, {"meter", meter}, {"domains", {"gpu0"}}};
  }
  report["requirements"].push_back({{"workload", "regression"},
                                    {"metric", "joules_per_sample"},
                                    {"unit", "J/sample"},
                                    {"threshold", {{"op", "<="}, {"value", 1.0}}}});
  return report.dump();
}

TEST(CompareReports, EnergyFiguresCompareOnlyWhenMeasuredAlike) {
  const std::vector<double> joules = {1.0, 1.01, 0.99, 1.02, 1.0};
  const std::vector<double> more = {1.3, 1.31, 1.29, 1.32, 1.3};
  const auto alike = CompareReports(EnergyReport(joules, "on-die-counter", "nvml"), "base",
                                    EnergyReport(more, "on-die-counter", "nvml"), "cand", {});
  ASSERT_TRUE(alike.has_value()) << alike.error().ToString();
  EXPECT_EQ(Row(*alike, "joules_per_sample").verdict, ChangeVerdict::kRegression);
  const auto unlike = CompareReports(EnergyReport(joules, "on-die-counter", "nvml"), "base",
                                     EnergyReport(more, "on-die-sampled", "nvml"), "cand", {});
  ASSERT_TRUE(unlike.has_value()) << unlike.error().ToString();
  const MetricComparison& row = Row(*unlike, "joules_per_sample");
  EXPECT_EQ(row.verdict, ChangeVerdict::kNotComparable);
  EXPECT_EQ(row.note,
            "energy measured differently: on-die-counter nvml (gpu0) in the baseline, "
            "on-die-sampled nvml (gpu0) in the candidate");
  // The other metrics of the same runs still compare.
  EXPECT_NE(Row(*unlike, "solve_time_s").verdict, ChangeVerdict::kNotComparable);
}

TEST(CompareReports, MalformedReportsNameTheFileAndField) {
  const std::string good = Report({1}, {1});
  auto broken = CompareReports(good, "b.json", "{\"spec\": 3", "c.json", {});
  ASSERT_FALSE(broken.has_value());
  EXPECT_THAT(broken.error().message(), HasSubstr("c.json: not valid JSON"));
  auto missing = CompareReports("{\"spec\": {}}", "b.json", good, "c.json", {});
  ASSERT_FALSE(missing.has_value());
  EXPECT_THAT(missing.error().message(), HasSubstr("b.json: spec.id is missing"));
  auto options = CompareReports(good, "b", good, "c", {.alpha = 0});
  EXPECT_FALSE(options.has_value());
}

}  // namespace
}  // namespace lepton::reports
