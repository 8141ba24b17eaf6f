// Each workload type, run once through the runner on a workload of spec/lepton-v1 at the ci
// profile's scale, emits exactly the metrics its schema declares: the workload itself every
// declared metric but the runner's (a value, or not measured with a reason), and the runner the
// energy figures (conformance/spec/energy_metrics.h: its meter measures them, never the
// workload) and gpu_throttled (conformance/spec/telemetry_metrics.h: from its GPU telemetry;
// on the ci profile's cpu device, not measured with the reason). Series and artifacts are evidence
// for the report, not metrics, so they are not compared. Requests every declared metric, so none is
// skipped for lack of a requirement.

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <iterator>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "bench/api/workload.h"
#include "bench/runner/runner.h"
#include "bench/workloads/mnist_mlp/split_equivalence.h"
#include "conformance/checks/system_probe.h"
#include "conformance/spec/energy_metrics.h"
#include "conformance/spec/resolve.h"
#include "conformance/spec/spec_loader.h"
#include "conformance/spec/telemetry_metrics.h"
#include "conformance/spec/workload_types.h"

namespace lepton::bench {
namespace {

const std::filesystem::path kSpecDir = std::filesystem::path(LEPTON_SOURCE_ROOT) / "spec/lepton-v1";
constexpr std::string_view kProfile = "ci";

// Passes every call on and keeps what the workload's own FinishRun returned, before the runner
// adds the energy figures.
class RecordingWorkload final : public Workload {
 public:
  RecordingWorkload(std::unique_ptr<Workload> inner, Metrics* emitted)
      : inner_(std::move(inner)), emitted_(emitted) {}

  Status Prepare(const WorkloadContext& context) override { return inner_->Prepare(context); }
  [[nodiscard]] std::vector<std::string> StepNames() const override { return inner_->StepNames(); }
  Status BeginRun(int run_index) override { return inner_->BeginRun(run_index); }
  Status RunStep(std::size_t step) override { return inner_->RunStep(step); }
  Status AfterStep(std::size_t step) override { return inner_->AfterStep(step); }
  Result<Metrics> FinishRun(std::span<const double> step_seconds) override {
    auto metrics = inner_->FinishRun(step_seconds);
    if (metrics) *emitted_ = *metrics;
    return metrics;
  }
  [[nodiscard]] std::optional<double> SamplesPerRun() const override {
    return inner_->SamplesPerRun();
  }
  [[nodiscard]] bool UsesAllRanks() const override { return inner_->UsesAllRanks(); }

 private:
  std::unique_ptr<Workload> inner_;
  Metrics* emitted_;
};

class WorkloadMetricsTest : public ::testing::TestWithParam<std::string_view> {
 protected:
  static void SetUpTestSuite() {
    auto loaded = spec::LoadSpecFromPath(kSpecDir);
    ASSERT_TRUE(loaded.has_value()) << loaded.error().ToString();
    spec_ = new spec::Spec(std::move(*loaded));
    system_ = new checks::SystemDescription(checks::ProbeSystem());
  }
  static void TearDownTestSuite() {
    delete spec_;
    delete system_;
    spec_ = nullptr;
    system_ = nullptr;
  }

  static spec::Spec* spec_;
  static checks::SystemDescription* system_;
};

spec::Spec* WorkloadMetricsTest::spec_ = nullptr;
checks::SystemDescription* WorkloadMetricsTest::system_ = nullptr;

std::set<std::string> Names(const Metrics& metrics) {
  std::set<std::string> names;
  for (const auto& [name, value] : metrics.values) names.insert(name);
  for (const auto& [name, reason] : metrics.not_measured) {
    EXPECT_FALSE(reason.empty()) << name << " is not measured without a reason";
    EXPECT_FALSE(metrics.values.contains(name)) << name << " is both measured and not measured";
    names.insert(name);
  }
  return names;
}

// The one exception to "every declared metric is stated": mnist_mlp_data_parallel's divergence
// figures, which its schema declares "absent when they stay within 1e-5"
// (conformance/spec/workload_types.cc): a run whose weights never left the single-rank ones by
// more than kWeightsAgreement has no divergence step to describe. Excused only when the run's
// own trace shows that, so a workload that drops them after a divergence still fails.
constexpr std::array<std::string_view, 3> kDivergenceMetrics = {
    "weights_divergence_step", "relu_disagreements_at_divergence",
    "relu_min_relative_margin_at_divergence"};

bool AbsentByDesign(std::string_view type, const Metrics& emitted) {
  if (type != "mnist_mlp_data_parallel") return false;
  const auto trace = emitted.series.find("weights_rel_l2_diff_single_rank_by_step");
  if (trace == emitted.series.end() || trace->second.empty()) return false;
  return std::ranges::all_of(trace->second,
                             [](double difference) { return difference <= kWeightsAgreement; });
}

std::string Join(const std::set<std::string>& names) {
  std::string text;
  for (const std::string& name : names) text += (text.empty() ? "" : ", ") + name;
  return text.empty() ? "(none)" : text;
}

TEST_P(WorkloadMetricsTest, EmitsExactlyTheDeclaredMetricsAtCiScale) {
  ASSERT_NE(spec_, nullptr);
  const std::string_view type_name = GetParam();
  const spec::WorkloadType* type = spec::FindWorkloadType(type_name);
  ASSERT_NE(type, nullptr);

  // The workload of this type the ci profile plans (its parameters at the profile's scale), run
  // once, without warm-up. With no facts every requirement stays applicable (an unknown fact
  // never excuses one), so the multi-rank workloads are planned too.
  auto ci_plan = spec::PlanRun(*spec_, kProfile, spec::Facts{});
  ASSERT_TRUE(ci_plan.has_value()) << ci_plan.error().ToString();
  const auto planned_it = std::ranges::find_if(
      ci_plan->workloads,
      [&](const spec::PlannedWorkload& planned) { return planned.workload->type == type_name; });
  ASSERT_NE(planned_it, ci_plan->workloads.end())
      << "the " << kProfile << " profile plans no workload of type " << type_name;
  spec::WorkloadSpec workload = *planned_it->workload;
  workload.warmup_runs = 0;

  std::set<std::string> declared;
  std::set<std::string> declared_by_runner;
  for (const spec::MetricSchema& metric : type->metrics) {
    declared.emplace(metric.name);
    if (spec::IsEnergyMetric(metric.name) || metric.name == spec::kGpuThrottled) {
      declared_by_runner.emplace(metric.name);  // the runner's, not the workload's
    }
  }

  spec::Plan plan;
  plan.profile = ci_plan->profile;
  spec::PlannedWorkload planned = *planned_it;
  planned.workload = &workload;
  planned.runs = 1;
  planned.metrics = declared;
  plan.workloads.push_back(std::move(planned));

  Metrics emitted;
  RunnerOptions options;
  options.device = plan.profile->devices;
  options.data_root = kSpecDir;
  options.system = system_;
  options.factory = [&emitted](std::string_view made,
                               std::string_view device) -> Result<std::unique_ptr<Workload>> {
    LEPTON_ASSIGN_OR_RETURN(auto inner, CreateWorkload(made, device));
    return std::make_unique<RecordingWorkload>(std::move(inner), &emitted);
  };
  // No energy meter: the runner then states every energy figure as not measured, saying so.
  RunObserver observer;
  const std::vector<WorkloadRecord> records = RunPlan(plan, options, observer);
  ASSERT_EQ(records.size(), 1u);
  const WorkloadRecord& record = records.front();
  if (!record.unavailable_reason.empty()) {
    GTEST_SKIP() << workload.name << " cannot run here: " << record.unavailable_reason;
  }
  ASSERT_TRUE(record.error.empty()) << record.error;
  ASSERT_EQ(record.runs.size(), 1u);
  ASSERT_TRUE(record.runs.front().error.empty()) << record.runs.front().error;

  // The workload's own metrics: every declared one but the runner's, nothing else.
  const std::set<std::string> own = Names(emitted);
  std::set<std::string> expected_own;
  for (const std::string& name : declared) {
    if (!declared_by_runner.contains(name)) expected_own.insert(name);
  }
  std::set<std::string> undeclared;
  std::set<std::string> missing;
  std::ranges::set_difference(own, expected_own, std::inserter(undeclared, undeclared.end()));
  std::ranges::set_difference(expected_own, own, std::inserter(missing, missing.end()));
  if (AbsentByDesign(type_name, emitted)) {
    for (const std::string_view name : kDivergenceMetrics) {
      if (missing.erase(std::string(name)) == 1) declared.erase(std::string(name));
    }
  }
  EXPECT_TRUE(undeclared.empty()) << workload.name << " emits metrics its schema does not "
                                  << "declare (or the runner's energy and telemetry figures): "
                                  << Join(undeclared);
  EXPECT_TRUE(missing.empty()) << workload.name
                               << " never states declared metrics: " << Join(missing);

  // The run as recorded: the runner adds exactly the declared energy and telemetry figures.
  const std::set<std::string> recorded = Names(record.runs.front().metrics);
  EXPECT_EQ(recorded, declared) << workload.name << " records " << Join(recorded) << "; declared "
                                << Join(declared);
}

std::vector<std::string_view> EveryType() {
  std::vector<std::string_view> names;
  for (const spec::WorkloadType& type : spec::WorkloadTypes()) names.push_back(type.name);
  return names;
}

std::string TypeName(const ::testing::TestParamInfo<std::string_view>& param) {
  return std::string(param.param);
}

INSTANTIATE_TEST_SUITE_P(EveryType, WorkloadMetricsTest, ::testing::ValuesIn(EveryType()),
                         TypeName);

}  // namespace
}  // namespace lepton::bench
