#include "tools/certify/plan_agreement.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bench/comm/self_communicator.h"
#include "conformance/spec/spec_loader.h"
#include "conformance/spec/test_spec_source.h"

namespace lepton::certify {
namespace {

spec::Spec LoadValid() {
  return spec::LoadSpec(spec::MapSource({{"lepton.yaml", spec::ValidSpecText()}})).value();
}

spec::Facts Ranks(double ranks) {
  return spec::Facts{{{"ranks", ranks}, {"gpus", 0}, {"cpu_cores", 2}}, {}};
}

TEST(PlanAgreementTest, TheSameFactsGiveTheSameFingerprint) {
  const spec::Spec spec = LoadValid();
  EXPECT_EQ(PlanFingerprint(spec::PlanRun(spec, "cpu", Ranks(1))),
            PlanFingerprint(spec::PlanRun(spec, "cpu", Ranks(1))));
}

// In the test spec a requirement applies only with two ranks or more.
TEST(PlanAgreementTest, ARequirementThatAppliesOnOneRankOnlyChangesTheFingerprint) {
  const spec::Spec spec = LoadValid();
  EXPECT_NE(PlanFingerprint(spec::PlanRun(spec, "cpu", Ranks(1))),
            PlanFingerprint(spec::PlanRun(spec, "cpu", Ranks(2))));
}

TEST(PlanAgreementTest, ARefusedProfileDiffersFromARunnableOne) {
  const spec::Spec spec = LoadValid();
  const auto refused = spec::PlanRun(spec, "gpu", Ranks(1));
  ASSERT_FALSE(refused.has_value());
  EXPECT_NE(PlanFingerprint(refused), PlanFingerprint(spec::PlanRun(spec, "cpu", Ranks(1))));
}

TEST(PlanAgreementTest, FactsSummaryNamesKnownAndUnknownFacts) {
  spec::Facts facts = Ranks(2);
  facts.unknown_reasons["memory_gib"] = "no /proc/meminfo";
  EXPECT_EQ(FactsSummary(facts), "cpu_cores=2 gpus=0 ranks=2 memory_gib=unknown");
}

TEST(PlanAgreementTest, AgreeingRanksAreOk) {
  const std::vector<std::string> fingerprints(4, "same");
  const std::vector<std::string> facts(4, "ranks=4");
  EXPECT_TRUE(ComparePlans(fingerprints, facts).ok());
}

TEST(PlanAgreementTest, EachDifferingRankIsNamedWithItsFacts) {
  const std::vector<std::string> fingerprints = {"a", "a", "b", "c"};
  const std::vector<std::string> facts = {"cpu_cores=64", "cpu_cores=64", "cpu_cores=8",
                                          "cpu_cores=4"};
  const Status compared = ComparePlans(fingerprints, facts);
  EXPECT_EQ(compared.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(compared.message(),
            "the ranks planned different runs from their own facts, so they would wait for each "
            "other in the collectives; rank 0 (cpu_cores=64) differs from rank 2 (cpu_cores=8); "
            "rank 3 (cpu_cores=4). Run every rank on nodes alike");
}

TEST(PlanAgreementTest, AloneThePlanAgreesWithItself) {
  auto self = bench::MakeSelfCommunicator();
  const spec::Spec spec = LoadValid();
  EXPECT_TRUE(AgreeOnPlan(*self, spec::PlanRun(spec, "cpu", Ranks(1)), Ranks(1)).ok());
  EXPECT_TRUE(AgreeOnPlan(*self, spec::PlanRun(spec, "gpu", Ranks(1)), Ranks(1)).ok());
}

}  // namespace
}  // namespace lepton::certify
