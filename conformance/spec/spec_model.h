#pragma once
// The typed model of a Lepton specification. Every element keeps where it was written so the
// loader, the overlay and the judge can point at the line that a message is about.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "conformance/core/units.h"
#include "conformance/spec/source_location.h"

namespace lepton::spec {

enum class RequirementKind { kInterface, kDataFormat, kPerformance, kEnergy };
enum class Level { kMust, kShould };  // RFC 2119: MUST gates certification, SHOULD is reported
enum class Comparison { kLess, kLessEqual, kGreater, kGreaterEqual, kEqual };
enum class Statistic { kMedian, kMean, kMin, kMax, kP90, kP99 };
// How an energy figure was measured, from the wall inwards (spec/README.md, "Energy"): a lab power
// analyser at the wall, the board management controller's power reading, an on-die energy
// counter (RAPL, NVML's total-energy counter), on-die power samples integrated over time.
enum class EnergyTier { kAnalyser, kBmc, kOnDieCounter, kOnDieSampled };

std::string_view RequirementKindName(RequirementKind kind);
std::string_view LevelName(Level level);
std::string_view ComparisonSymbol(Comparison op);
std::string_view StatisticName(Statistic statistic);
std::string_view EnergyTierName(EnergyTier tier);  // "analyser", "bmc", "on-die-counter", ...
std::optional<RequirementKind> ParseRequirementKind(std::string_view text);
std::optional<Level> ParseLevel(std::string_view text);
std::optional<Comparison> ParseComparison(std::string_view text);
std::optional<Statistic> ParseStatistic(std::string_view text);
std::optional<EnergyTier> ParseEnergyTier(std::string_view text);
std::vector<std::string_view> EnergyTierNames();  // every tier, best first

// A threshold or a measured value: a number, a version or text (kept as written), or a boolean.
using Value = std::variant<double, std::string, bool>;
std::string ValueToString(const Value& value);

// The reserved profile key that gives a threshold or run count to every profile.
inline constexpr std::string_view kAllProfiles = "all";

// "ranks >= 2": a comparison of a system fact with a number.
struct Condition {
  std::string fact;
  Comparison op = Comparison::kGreaterEqual;
  double value = 0;
  SourceLocation location;

  [[nodiscard]] std::string ToString() const;  // "ranks >= 2"
  [[nodiscard]] bool Holds(double fact_value) const;
};

// The facts conditions may name, each with its meaning.
struct FactInfo {
  std::string_view name;
  std::string_view meaning;
};
std::vector<FactInfo> KnownFacts();

struct ThresholdEntry {
  Value value;
  SourceLocation location;
};

struct Threshold {
  Comparison op = Comparison::kLessEqual;
  std::map<std::string, ThresholdEntry> by_profile;  // profile name or "all"
  SourceLocation location;

  // The entry for `profile`, falling back to "all"; nullptr when the profile has none.
  [[nodiscard]] const ThresholdEntry* For(std::string_view profile) const;
};

struct RunCount {
  std::map<std::string, int> by_profile;  // profile name or "all"
  SourceLocation location;

  [[nodiscard]] int For(std::string_view profile) const;  // 1 when unstated
};

struct Requirement {
  std::string id;
  std::string title;
  std::string description;
  RequirementKind kind = RequirementKind::kPerformance;
  Level level = Level::kMust;
  std::string workload;
  std::string metric;
  std::string unit;
  std::optional<Statistic> statistic;  // numbers only; versions, booleans and text need agreement
  RunCount runs;
  Threshold threshold;
  std::optional<Condition> applies_if;
  // Energy requirements only: the measurement methods whose figures this requirement judges;
  // a run measured another way is not measured for it.
  std::vector<EnergyTier> methods;
  // A figure the leaderboard ranks systems by (a number with an upper or lower bound).
  bool headline = false;
  SourceLocation location;  // the requirement's first key
  // Where the references were written, so a dangling one is reported at its own line.
  SourceLocation workload_location;
  SourceLocation metric_location;
  SourceLocation unit_location;
};

using ParamValue = std::variant<bool, std::int64_t, double, std::string, std::vector<std::int64_t>,
                                std::vector<double>, std::vector<std::string>>;
std::string ParamValueToString(const ParamValue& value);

struct Param {
  ParamValue value;
  SourceLocation location;
};

// Parameters are flattened to dotted paths: `optimizer: {lr: 0.001}` -> "optimizer.lr".
using ParamMap = std::map<std::string, Param>;

struct WorkloadSpec {
  std::string name;
  std::string type;
  std::string title;
  int warmup_runs = 0;
  ParamMap params;
  std::map<std::string, ParamMap> scale_overrides;  // scale name -> parameters it replaces
  SourceLocation location;
};

// How the runner measures energy under a profile (spec/README.md, "Energy"). The defaults are
// the language's, written down there; a profile states its own in an `energy` map.
struct EnergySettings {
  double min_region_s = 60;  // a run's timed region shorter than this is repeated for energy
  double idle_s = 10;        // idle power is measured this long before each workload's runs
  double sample_hz = 10;     // polling rate of the meters' sampling threads
  double max_gap_s = 2;      // a longer gap between power samples in a timed region: not measured
};

struct Profile {
  std::string name;
  std::string title;
  std::string devices = "cpu";  // cpu | cuda
  std::string scale = "full";   // full | small
  std::string comm = "none";    // none | mpi | nccl | nccl-local (one process, every local GPU)
  std::vector<Condition> preconditions;
  std::string requires_because;  // why the preconditions exist, quoted when one is not met
  EnergySettings energy;
  SourceLocation location;
};

struct SpecFile {
  std::string path;  // relative to the spec directory
  std::string bytes;
};

struct Spec {
  std::string id;       // e.g. lepton-ai-infrastructure
  std::string version;  // semantic version
  std::string status;   // draft | released
  std::string title;
  std::map<std::string, Profile> profiles;
  std::map<std::string, WorkloadSpec> workloads;
  std::vector<Requirement> requirements;  // in file order
  std::vector<SpecFile> files;            // every file read, main file first
  std::string sha256;                     // over `files`, see SpecDigest()

  [[nodiscard]] const Requirement* FindRequirement(std::string_view requirement_id) const;
};

inline constexpr std::string_view kScales[] = {"full", "small"};

}  // namespace lepton::spec
