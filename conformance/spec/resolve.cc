#include "conformance/spec/resolve.h"

#include <algorithm>

#include "conformance/core/strings.h"

namespace lepton::spec {
namespace {

std::string FactText(const std::string& fact, double value) {
  return fact + " = " + ValueToString(value);
}

// The profile's stated reason for its preconditions, quoted in every refusal.
std::string Because(const Profile& profile) {
  return profile.requires_because.empty() ? "" : ". Why: " + profile.requires_because;
}

Status CheckPreconditions(const Profile& profile, const Facts& facts) {
  for (const Condition& condition : profile.preconditions) {
    auto it = facts.values.find(condition.fact);
    if (it == facts.values.end()) {
      auto reason = facts.unknown_reasons.find(condition.fact);
      return FailedPreconditionError(
          "profile '" + profile.name + "' needs " + condition.ToString() + ", but " +
          condition.fact + " could not be determined" +
          (reason == facts.unknown_reasons.end() ? "" : ": " + reason->second) + Because(profile));
    }
    if (!condition.Holds(it->second)) {
      return FailedPreconditionError("profile '" + profile.name + "' needs " +
                                     condition.ToString() + ", but this system has " +
                                     FactText(condition.fact, it->second) + " (" +
                                     condition.location.ToString() + ")" + Because(profile));
    }
  }
  return OkStatus();
}

}  // namespace

Result<Plan> PlanRun(const Spec& spec, std::string_view profile_name, const Facts& facts,
                     const PlanOptions& options) {
  auto profile_it = spec.profiles.find(std::string(profile_name));
  if (profile_it == spec.profiles.end()) {
    return std::unexpected(NotFoundError(
        "unknown profile '" + std::string(profile_name) +
        "'; known: " + JoinComma(spec.profiles, [](const auto& entry) -> const std::string& {
          return entry.first;
        })));
  }
  const Profile& profile = profile_it->second;
  if (options.enforce_preconditions) LEPTON_RETURN_IF_ERROR(CheckPreconditions(profile, facts));

  Plan plan;
  plan.profile = &profile;
  std::map<std::string, std::size_t> workload_index;
  for (const Requirement& requirement : spec.requirements) {
    const ThresholdEntry* threshold = requirement.threshold.For(profile.name);
    if (threshold == nullptr) continue;
    PlannedRequirement planned;
    planned.requirement = &requirement;
    planned.threshold = threshold->value;
    planned.runs = requirement.runs.For(profile.name);
    if (requirement.applies_if) {
      const Condition& condition = *requirement.applies_if;
      auto fact = facts.values.find(condition.fact);
      if (fact != facts.values.end() && !condition.Holds(fact->second)) {
        planned.applicable = false;
        planned.not_applicable_reason = "applies_if " + condition.ToString() +
                                        " is false: " + FactText(condition.fact, fact->second);
      }
      // An unknown fact keeps the requirement applicable: the judge cannot excuse what it
      // cannot check, so it will be measured (or fail as not measured).
    }
    if (planned.applicable) {
      const WorkloadSpec& workload = spec.workloads.at(requirement.workload);
      auto [it, inserted] = workload_index.try_emplace(workload.name, plan.workloads.size());
      if (inserted) {
        PlannedWorkload planned_workload;
        planned_workload.workload = &workload;
        for (const auto& [path, param] : workload.params)
          planned_workload.params[path] = param.value;
        if (auto scale = workload.scale_overrides.find(profile.scale);
            scale != workload.scale_overrides.end()) {
          for (const auto& [path, param] : scale->second) {
            planned_workload.params[path] = param.value;
          }
        }
        planned_workload.runs = 0;
        plan.workloads.push_back(std::move(planned_workload));
      }
      PlannedWorkload& planned_workload = plan.workloads[it->second];
      planned_workload.runs = std::max(planned_workload.runs, planned.runs);
      planned_workload.metrics.insert(requirement.metric);
    }
    plan.requirements.push_back(std::move(planned));
  }
  if (options.runs_override) {
    for (PlannedWorkload& workload : plan.workloads) workload.runs = *options.runs_override;
  }
  return plan;
}

}  // namespace lepton::spec
