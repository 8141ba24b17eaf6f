// GPU-NO-THROTTLE of the standard (spec/lepton-v1/requirements/gpu_telemetry.yaml) judged on
// gpu_throttled as the runner records it: planned on the gpu profiles only, every timed run must
// be unthrottled, and a run whose telemetry could not tell is not measured, never a pass.

#include <gtest/gtest.h>

#include "conformance/judge/verdict.h"
#include "conformance/spec/resolve.h"
#include "conformance/spec/spec_loader.h"

namespace lepton::judge {
namespace {

class GpuNoThrottleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = spec::LoadSpecFromPath("spec/lepton-v1");
    ASSERT_TRUE(loaded.has_value()) << loaded.error().ToString();
    spec_ = std::move(*loaded);
  }

  // The requirement as the profile plans it, or null when the profile does not.
  const spec::PlannedRequirement* Planned(const std::string& profile) {
    spec::PlanOptions options;
    options.enforce_preconditions = false;
    auto plan = spec::PlanRun(spec_, profile, {}, options);
    EXPECT_TRUE(plan.has_value()) << plan.error().ToString();
    plan_ = std::move(*plan);
    for (const spec::PlannedRequirement& planned : plan_.requirements) {
      if (planned.requirement->id == "GPU-NO-THROTTLE") return &planned;
    }
    return nullptr;
  }

  // Three timed runs of fashion-mlp with gpu_throttled as given; nullopt: not measured.
  static records::WorkloadRecord Runs(std::vector<std::optional<bool>> throttled) {
    records::WorkloadRecord record;
    record.name = "fashion-mlp";
    record.type = "mnist_mlp_train";
    record.device = "cuda";
    for (std::size_t i = 0; i < throttled.size(); ++i) {
      records::RunRecord run;
      run.index = static_cast<int>(i);
      if (throttled[i]) {
        run.metrics.values["gpu_throttled"] = *throttled[i];
      } else {
        run.metrics.not_measured["gpu_throttled"] =
            "no GPU telemetry: NVML not loadable (no NVIDIA driver?)";
      }
      record.runs.push_back(std::move(run));
    }
    return record;
  }

  spec::Spec spec_;
  spec::Plan plan_;
};

TEST_F(GpuNoThrottleTest, IsAShouldOnFashionMlpForTheGpuProfilesOnly) {
  const spec::PlannedRequirement* planned = Planned("gpu");
  ASSERT_NE(planned, nullptr);
  EXPECT_EQ(planned->requirement->level, spec::Level::kShould);
  EXPECT_EQ(planned->requirement->kind, spec::RequirementKind::kPerformance);
  EXPECT_EQ(planned->requirement->workload, "fashion-mlp");
  EXPECT_EQ(planned->requirement->metric, "gpu_throttled");
  EXPECT_EQ(planned->threshold, spec::Value(false));
  EXPECT_NE(Planned("multi-gpu"), nullptr);
  EXPECT_EQ(Planned("cpu"), nullptr);
  EXPECT_EQ(Planned("ci"), nullptr);
}

TEST_F(GpuNoThrottleTest, PassesOnlyWhenNoRunThrottled) {
  const spec::PlannedRequirement* planned = Planned("gpu");
  ASSERT_NE(planned, nullptr);
  const auto calm = Runs({false, false, false});
  EXPECT_EQ(JudgeRequirement(*planned, &calm).status, VerdictStatus::kPass);
  const auto hot = Runs({false, true, false});
  const Verdict verdict = JudgeRequirement(*planned, &hot);
  EXPECT_EQ(verdict.status, VerdictStatus::kFail) << verdict.reason;
  EXPECT_EQ(verdict.reason, "value true bool does not meet == false bool over 3 runs");
}

TEST_F(GpuNoThrottleTest, UnknownTelemetryIsNotMeasuredNeverAPass) {
  const spec::PlannedRequirement* planned = Planned("gpu");
  ASSERT_NE(planned, nullptr);
  const auto unknown = Runs({std::nullopt, std::nullopt, std::nullopt});
  const Verdict verdict = JudgeRequirement(*planned, &unknown);
  EXPECT_EQ(verdict.status, VerdictStatus::kNotMeasured);
  EXPECT_NE(verdict.reason.find("NVML not loadable"), std::string::npos) << verdict.reason;
}

}  // namespace
}  // namespace lepton::judge
