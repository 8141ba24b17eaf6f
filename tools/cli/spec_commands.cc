#include "tools/cli/spec_commands.h"

#include <fmt/core.h>

#include "conformance/checks/system_probe.h"
#include "conformance/spec/resolve.h"
#include "conformance/spec/spec_loader.h"
#include "reports/json_report.h"
#include "tools/certify/device_collectives.h"
#include "tools/certify/spec_input.h"
#include "tools/cli/exit_codes.h"

namespace lepton::cli {

int CheckSpecs(const std::vector<std::filesystem::path>& paths) {
  int exit_code = kExitCertified;
  const auto check = [&](const std::string& name, const Result<certify::SpecInput>& input) {
    if (!input) {
      fmt::print(stderr, "{}: error: {}\n", name, input.error().message());
      exit_code = kExitUsageError;
      return;
    }
    const spec::Spec& spec = input->spec;
    fmt::print("{}: OK: {} {} ({}), {} profiles, {} workloads, {} requirements, sha256 {}\n", name,
               spec.id, spec.version, spec.status, spec.profiles.size(), spec.workloads.size(),
               spec.requirements.size(), spec.sha256);
  };
  if (paths.empty()) check("<embedded>", certify::LoadSpecInput(std::nullopt));
  for (const std::filesystem::path& path : paths)
    check(path.string(), certify::LoadSpecInput(path));
  return exit_code;
}

int ShowSpec(const std::optional<std::filesystem::path>& path, const std::string& profile) {
  auto input = certify::LoadSpecInput(path);
  if (!input) {
    fmt::print(stderr, "lepton-cert: error: {}\n", input.error().message());
    return kExitUsageError;
  }
  const checks::SystemDescription system = checks::ProbeSystem();
  spec::Facts facts = checks::FactsFrom(system);
  // As `run` started alone would plan it: a comm: nccl-local profile's ranks are its GPUs.
  if (const auto named = input->spec.profiles.find(profile); named != input->spec.profiles.end()) {
    if (const auto ranks = certify::CollectiveRanksFact(named->second, 1, system.gpus.count)) {
      facts.values["ranks"] = *ranks;
    }
  }
  auto plan = spec::PlanRun(input->spec, profile, facts, {.enforce_preconditions = false});
  if (!plan) {
    fmt::print(stderr, "lepton-cert: error: {}\n", plan.error().message());
    return kExitUsageError;
  }
  fmt::print("{}", reports::PlanToJson(input->spec, *plan));
  return kExitCertified;
}

int ShowSystem() {
  fmt::print("{}", reports::SystemToJson(checks::ProbeSystem()));
  return kExitCertified;
}

}  // namespace lepton::cli
