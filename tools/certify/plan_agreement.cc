#include "tools/certify/plan_agreement.h"

#include <fmt/core.h>

#include <vector>

#include "bench/comm/string_gather.h"
#include "conformance/core/sha256.h"

namespace lepton::certify {
namespace {

constexpr std::size_t kFingerprintBytes = 64;  // a SHA-256 in hex
constexpr std::size_t kMaxFactsBytes = 1024;

}  // namespace

std::string PlanFingerprint(const Result<spec::Plan>& plan) {
  if (!plan) return Sha256Hex("refused: " + plan.error().message());
  std::string text;
  for (const spec::PlannedWorkload& workload : plan->workloads) {
    text += fmt::format("workload {} x{}\n", workload.workload->name, workload.runs);
  }
  for (const spec::PlannedRequirement& requirement : plan->requirements) {
    text += fmt::format("requirement {} {}\n", requirement.requirement->id,
                        requirement.applicable ? "applies" : "does not apply");
  }
  return Sha256Hex(text);
}

std::string FactsSummary(const spec::Facts& facts) {
  std::string summary;
  for (const auto& [name, value] : facts.values) {
    summary += fmt::format("{}{}={}", summary.empty() ? "" : " ", name, value);
  }
  for (const auto& [name, reason] : facts.unknown_reasons) {
    summary += fmt::format("{}{}=unknown", summary.empty() ? "" : " ", name);
  }
  return summary;
}

Status ComparePlans(std::span<const std::string> fingerprints, std::span<const std::string> facts) {
  std::string differing;
  for (std::size_t r = 1; r < fingerprints.size(); ++r) {
    if (fingerprints[r] == fingerprints[0]) continue;
    differing += fmt::format("{}rank {} ({})", differing.empty() ? "" : "; ", r,
                             r < facts.size() ? facts[r] : "facts unknown");
  }
  if (differing.empty()) return OkStatus();
  return FailedPreconditionError(fmt::format(
      "the ranks planned different runs from their own facts, so they would wait for each other "
      "in the collectives; rank 0 ({}) differs from {}. Run every rank on nodes alike",
      facts.empty() ? "facts unknown" : facts[0], differing));
}

Status AgreeOnPlan(bench::Communicator& world, const Result<spec::Plan>& plan,
                   const spec::Facts& facts) {
  auto fingerprints = bench::AllGatherStrings(world, PlanFingerprint(plan), kFingerprintBytes);
  if (!fingerprints) return fingerprints.error().WithContext("comparing the ranks' plans");
  auto summaries = bench::AllGatherStrings(world, FactsSummary(facts), kMaxFactsBytes);
  if (!summaries) return summaries.error().WithContext("comparing the ranks' facts");
  return ComparePlans(*fingerprints, *summaries);
}

}  // namespace lepton::certify
