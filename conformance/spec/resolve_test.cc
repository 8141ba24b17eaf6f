#include "conformance/spec/resolve.h"

#include <gtest/gtest.h>

#include "conformance/spec/spec_loader.h"
#include "conformance/spec/test_spec_source.h"

namespace lepton::spec {
namespace {

Spec LoadValid() { return LoadSpec(MapSource({{"lepton.yaml", ValidSpecText()}})).value(); }

Facts OneRankNoGpu() { return Facts{{{"ranks", 1}, {"gpus", 0}, {"cpu_cores", 2}}, {}}; }

TEST(ResolveTest, SelectsRequirementsAndAppliesScale) {
  const Spec spec = LoadValid();
  Facts facts = OneRankNoGpu();
  facts.values["ranks"] = 2;
  const auto plan = PlanRun(spec, "ci", facts);
  ASSERT_TRUE(plan.has_value()) << plan.error().ToString();
  ASSERT_EQ(plan->requirements.size(), 2u);
  EXPECT_EQ(std::get<double>(plan->requirements[1].threshold), 10);
  EXPECT_EQ(plan->requirements[1].runs, 2);
  ASSERT_EQ(plan->workloads.size(), 2u);
  EXPECT_EQ(plan->workloads[0].workload->name, "system");
  EXPECT_EQ(plan->workloads[1].runs, 2);
  EXPECT_EQ(plan->workloads[1].metrics, std::set<std::string>{"rows_per_second"});
  EXPECT_EQ(std::get<std::int64_t>(plan->workloads[1].params.at("dataset.rows")), 200);
}

TEST(ResolveTest, FalseConditionMakesRequirementNotApplicableAndSkipsWorkload) {
  const Spec spec = LoadValid();
  const auto plan = PlanRun(spec, "cpu", OneRankNoGpu());
  ASSERT_TRUE(plan.has_value());
  ASSERT_EQ(plan->requirements.size(), 2u);
  EXPECT_FALSE(plan->requirements[1].applicable);
  EXPECT_EQ(plan->requirements[1].not_applicable_reason,
            "applies_if ranks >= 2 is false: ranks = 1");
  ASSERT_EQ(plan->workloads.size(), 1u);
}

TEST(ResolveTest, RefusesProfileWhosePreconditionFails) {
  const auto plan = PlanRun(LoadValid(), "gpu", OneRankNoGpu());
  ASSERT_FALSE(plan.has_value());
  EXPECT_EQ(plan.error().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(plan.error().message(),
            "profile 'gpu' needs gpus >= 1, but this system has gpus = 0 (lepton.yaml:7:41)");
}

// A plan points into its spec, so every test keeps the spec alive while it reads the plan.
TEST(ResolveTest, PreconditionsCanBeIgnoredForShowingAPlan) {
  const Spec spec = LoadValid();
  const auto plan = PlanRun(spec, "gpu", OneRankNoGpu(), {.enforce_preconditions = false});
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(plan->profile->name, "gpu");
}

TEST(ResolveTest, UnknownFactRefusesProfileWithReason) {
  Facts facts;
  facts.unknown_reasons["gpus"] = "libcuda.so.1 not found";
  const auto plan = PlanRun(LoadValid(), "gpu", facts);
  ASSERT_FALSE(plan.has_value());
  EXPECT_EQ(plan.error().message(),
            "profile 'gpu' needs gpus >= 1, but gpus could not be determined: libcuda.so.1 not "
            "found");
}

TEST(ResolveTest, EveryRefusalQuotesWhyTheProfileRequiresIt) {
  Spec spec = LoadValid();
  spec.profiles.at("gpu").requires_because = "the workloads run on CUDA";
  EXPECT_EQ(PlanRun(spec, "gpu", OneRankNoGpu()).error().message(),
            "profile 'gpu' needs gpus >= 1, but this system has gpus = 0 (lepton.yaml:7:41). Why: "
            "the workloads run on CUDA");
  Facts unknown;
  unknown.unknown_reasons["gpus"] = "libcuda.so.1 not found";
  EXPECT_EQ(PlanRun(spec, "gpu", unknown).error().message(),
            "profile 'gpu' needs gpus >= 1, but gpus could not be determined: libcuda.so.1 not "
            "found. Why: the workloads run on CUDA");
}

TEST(ResolveTest, UnknownProfileListsKnownOnes) {
  EXPECT_EQ(PlanRun(LoadValid(), "tpu", OneRankNoGpu()).error().message(),
            "unknown profile 'tpu'; known: ci, cpu, gpu");
}

TEST(ResolveTest, RunsOverrideReplacesRepetitions) {
  Facts facts = OneRankNoGpu();
  facts.values["ranks"] = 2;
  const Spec spec = LoadValid();
  const auto plan = PlanRun(spec, "cpu", facts, {.runs_override = 7});
  ASSERT_TRUE(plan.has_value());
  for (const PlannedWorkload& workload : plan->workloads) EXPECT_EQ(workload.runs, 7);
  EXPECT_EQ(plan->requirements[1].runs, 3);
}

}  // namespace
}  // namespace lepton::spec
