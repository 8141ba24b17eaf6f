#pragma once
// Turns a spec and a profile into a plan for this system: which requirements apply (with their
// thresholds and run counts), which are not applicable and why, and which workloads must run how
// often with which parameters. A profile whose preconditions this system does not meet is
// refused here, before anything runs.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "conformance/core/status.h"
#include "conformance/spec/spec_model.h"

namespace lepton::spec {

// System facts that conditions read (see KnownFacts()); a fact may be unknown, with a reason.
struct Facts {
  std::map<std::string, double> values;
  std::map<std::string, std::string> unknown_reasons;
};

struct PlannedRequirement {
  const Requirement* requirement = nullptr;
  Value threshold;
  int runs = 1;
  bool applicable = true;
  std::string not_applicable_reason;  // "applies_if ranks >= 2 is false: ranks = 1"
};

struct PlannedWorkload {
  const WorkloadSpec* workload = nullptr;
  int runs = 1;
  std::map<std::string, ParamValue> params;  // with the profile's scale applied
  std::set<std::string> metrics;             // the metrics applicable requirements read
};

struct Plan {
  const Profile* profile = nullptr;
  std::vector<PlannedRequirement> requirements;  // every requirement with a threshold for it
  std::vector<PlannedWorkload> workloads;        // in the order requirements first need them
};

struct PlanOptions {
  // Replaces every workload's repetitions (more or fewer than the spec asks); the judge still
  // asks each requirement for the runs its spec states.
  std::optional<int> runs_override;
  // Off only to show a profile's plan on a machine that could not run it (`spec show`).
  bool enforce_preconditions = true;
};

Result<Plan> PlanRun(const Spec& spec, std::string_view profile_name, const Facts& facts,
                     const PlanOptions& options = {});

}  // namespace lepton::spec
