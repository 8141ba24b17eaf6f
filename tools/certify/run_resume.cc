#include "tools/certify/run_resume.h"

#include <fmt/core.h>

namespace lepton::certify {
namespace {

std::string Absolute(const std::filesystem::path& path) {
  std::error_code error;
  const std::filesystem::path absolute = std::filesystem::absolute(path, error);
  return (error ? path : absolute).lexically_normal().string();
}

std::string FactText(const spec::Facts& facts, const std::string& name) {
  if (const auto value = facts.values.find(name); value != facts.values.end()) {
    return spec::ValueToString(value->second);
  }
  if (const auto reason = facts.unknown_reasons.find(name); reason != facts.unknown_reasons.end()) {
    return "unknown (" + reason->second + ")";
  }
  return "absent";
}

}  // namespace

reports::JournalSettings SettingsFromOptions(const CertifyOptions& options) {
  reports::JournalSettings settings;
  if (options.spec_path) settings.spec_path = Absolute(*options.spec_path);
  settings.profile = options.profile;
  settings.runs = options.runs;
  settings.threads_per_rank = options.threads_per_rank;
  if (options.overlay_path) settings.overlay_path = Absolute(*options.overlay_path);
  for (const auto& [name, dir] : options.dataset_dirs) settings.dataset_dirs[name] = Absolute(dir);
  if (options.sign_key) settings.sign_key = Absolute(*options.sign_key);
  settings.energy = std::string(bench::MeterChoiceName(options.energy.choice));
  if (options.energy.power_log) settings.power_log = Absolute(*options.energy.power_log);
  settings.power_log_source = std::string(spec::EnergyTierName(options.energy.power_log_tier));
  return settings;
}

Result<CertifyOptions> OptionsFromJournal(const reports::RunJournal& journal,
                                          const std::filesystem::path& dir) {
  const reports::JournalSettings& settings = journal.settings;
  CertifyOptions options;
  if (settings.spec_path) options.spec_path = *settings.spec_path;
  options.profile = settings.profile;
  options.out_dir = dir;
  options.runs = settings.runs;
  options.threads_per_rank = settings.threads_per_rank;
  if (settings.overlay_path) options.overlay_path = *settings.overlay_path;
  for (const auto& [name, path] : settings.dataset_dirs) options.dataset_dirs[name] = path;
  options.command_line = journal.command_line;
  if (settings.sign_key) options.sign_key = *settings.sign_key;
  const auto choice = bench::ParseMeterChoice(settings.energy);
  const auto tier = spec::ParseEnergyTier(settings.power_log_source);
  if (!choice || !tier) {
    return std::unexpected(InvalidArgumentError(
        (dir / reports::kJournalFileName).string() + ": unknown energy meter '" + settings.energy +
        "' or power-log source '" + settings.power_log_source + "'"));
  }
  options.energy.choice = *choice;
  options.energy.power_log_tier = *tier;
  if (settings.power_log) options.energy.power_log = *settings.power_log;
  return options;
}

Status CheckSameRun(const reports::RunJournal& journal, std::string_view tool_version,
                    std::string_view git_commit, std::string_view spec_sha256,
                    std::string_view overlay_sha256, const spec::Facts& facts) {
  const auto refuse = [](const std::string& what) {
    return FailedPreconditionError(
        what +
        "; measurements of two sessions make one report only when nothing but time "
        "separates them (start a new run instead)");
  };
  if (journal.tool_version != tool_version || journal.git_commit != git_commit) {
    return refuse(fmt::format("the journal was written by lepton-cert {} ({}), this is {} ({})",
                              journal.tool_version, journal.git_commit, tool_version, git_commit));
  }
  if (journal.spec_sha256 != spec_sha256) {
    return refuse(
        fmt::format("the spec changed since the journal was written (sha256 {} then, "
                    "{} now)",
                    journal.spec_sha256, spec_sha256));
  }
  if (journal.overlay_sha256 != overlay_sha256) {
    return refuse("the overlay changed since the journal was written");
  }
  std::set<std::string> names;
  for (const spec::Facts* side : {&journal.facts, &facts}) {
    for (const auto& [name, value] : side->values) names.insert(name);
    for (const auto& [name, reason] : side->unknown_reasons) names.insert(name);
  }
  for (const std::string& name : names) {
    const std::string then = FactText(journal.facts, name);
    const std::string now = FactText(facts, name);
    if (then != now) {
      return refuse(
          fmt::format("the machine's fact '{}' changed since the journal was written ({} then, "
                      "{} now)",
                      name, then, now));
    }
  }
  return OkStatus();
}

}  // namespace lepton::certify
