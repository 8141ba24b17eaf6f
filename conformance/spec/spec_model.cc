#include "conformance/spec/spec_model.h"

#include <array>
#include <charconv>
#include <utility>

namespace lepton::spec {
namespace {

template <typename Enum, std::size_t N>
std::optional<Enum> Lookup(const std::array<std::pair<Enum, std::string_view>, N>& table,
                           std::string_view text) {
  for (const auto& [value, name] : table) {
    if (name == text) return value;
  }
  return std::nullopt;
}

template <typename Enum, std::size_t N>
std::string_view NameOf(const std::array<std::pair<Enum, std::string_view>, N>& table, Enum value) {
  for (const auto& [candidate, name] : table) {
    if (candidate == value) return name;
  }
  return "unknown";
}

constexpr std::array<std::pair<RequirementKind, std::string_view>, 4> kKinds = {{
    {RequirementKind::kInterface, "interface"},
    {RequirementKind::kDataFormat, "data-format"},
    {RequirementKind::kPerformance, "performance"},
    {RequirementKind::kEnergy, "energy"},
}};
constexpr std::array<std::pair<Level, std::string_view>, 2> kLevels = {{
    {Level::kMust, "MUST"},
    {Level::kShould, "SHOULD"},
}};
constexpr std::array<std::pair<Comparison, std::string_view>, 5> kComparisons = {{
    {Comparison::kLess, "<"},
    {Comparison::kLessEqual, "<="},
    {Comparison::kGreater, ">"},
    {Comparison::kGreaterEqual, ">="},
    {Comparison::kEqual, "=="},
}};
constexpr std::array<std::pair<Statistic, std::string_view>, 6> kStatistics = {{
    {Statistic::kMedian, "median"},
    {Statistic::kMean, "mean"},
    {Statistic::kMin, "min"},
    {Statistic::kMax, "max"},
    {Statistic::kP90, "p90"},
    {Statistic::kP99, "p99"},
}};

constexpr std::array<std::pair<EnergyTier, std::string_view>, 4> kEnergyTiers = {{
    {EnergyTier::kAnalyser, "analyser"},
    {EnergyTier::kBmc, "bmc"},
    {EnergyTier::kOnDieCounter, "on-die-counter"},
    {EnergyTier::kOnDieSampled, "on-die-sampled"},
}};

// Shortest text that reads back as the same double (std::to_chars' shortest form).
std::string FormatDouble(double value) {
  std::array<char, 32> buffer{};
  const auto [end, error] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  return error == std::errc() ? std::string(buffer.data(), end) : std::string("?");
}

template <typename T>
std::string JoinList(const std::vector<T>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ", ";
    if constexpr (std::is_same_v<T, double>) {
      out += FormatDouble(values[i]);
    } else if constexpr (std::is_same_v<T, std::string>) {
      out += values[i];
    } else {
      out += std::to_string(values[i]);
    }
  }
  return out + "]";
}

}  // namespace

std::string_view RequirementKindName(RequirementKind kind) { return NameOf(kKinds, kind); }
std::string_view LevelName(Level level) { return NameOf(kLevels, level); }
std::string_view ComparisonSymbol(Comparison op) { return NameOf(kComparisons, op); }
std::string_view StatisticName(Statistic statistic) { return NameOf(kStatistics, statistic); }
std::optional<RequirementKind> ParseRequirementKind(std::string_view text) {
  return Lookup(kKinds, text);
}
std::optional<Level> ParseLevel(std::string_view text) { return Lookup(kLevels, text); }
std::optional<Comparison> ParseComparison(std::string_view text) {
  return Lookup(kComparisons, text);
}
std::optional<Statistic> ParseStatistic(std::string_view text) { return Lookup(kStatistics, text); }
std::string_view EnergyTierName(EnergyTier tier) { return NameOf(kEnergyTiers, tier); }
std::optional<EnergyTier> ParseEnergyTier(std::string_view text) {
  return Lookup(kEnergyTiers, text);
}
std::vector<std::string_view> EnergyTierNames() {
  std::vector<std::string_view> names;
  for (const auto& entry : kEnergyTiers) names.push_back(entry.second);
  return names;
}

std::string ValueToString(const Value& value) {
  if (const auto* number = std::get_if<double>(&value)) return FormatDouble(*number);
  if (const auto* flag = std::get_if<bool>(&value)) return *flag ? "true" : "false";
  return std::get<std::string>(value);
}

std::string ParamValueToString(const ParamValue& value) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, bool>) {
          return v ? "true" : "false";
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          return std::to_string(v);
        } else if constexpr (std::is_same_v<T, double>) {
          return FormatDouble(v);
        } else if constexpr (std::is_same_v<T, std::string>) {
          return v;
        } else {
          return JoinList(v);
        }
      },
      value);
}

std::string Condition::ToString() const {
  return fact + " " + std::string(ComparisonSymbol(op)) + " " + FormatDouble(value);
}

bool Condition::Holds(double fact_value) const {
  switch (op) {
    case Comparison::kLess:
      return fact_value < value;
    case Comparison::kLessEqual:
      return fact_value <= value;
    case Comparison::kGreater:
      return fact_value > value;
    case Comparison::kGreaterEqual:
      return fact_value >= value;
    case Comparison::kEqual:
      return fact_value == value;
  }
  return false;
}

std::vector<FactInfo> KnownFacts() {
  return {
      {"gpus", "CUDA devices visible to this process"},
      {"ranks",
       "ranks the collectives run over: processes (1 unless launched under MPI), or for a "
       "comm: nccl-local profile the GPUs its one process drives"},
      {"nodes", "distinct hosts among the ranks"},
      {"cpu_cores", "logical CPUs this process may run on"},
      {"memory_gib", "physical memory in GiB"},
  };
}

const ThresholdEntry* Threshold::For(std::string_view profile) const {
  if (auto it = by_profile.find(std::string(profile)); it != by_profile.end()) return &it->second;
  if (auto it = by_profile.find(std::string(kAllProfiles)); it != by_profile.end()) {
    return &it->second;
  }
  return nullptr;
}

int RunCount::For(std::string_view profile) const {
  if (auto it = by_profile.find(std::string(profile)); it != by_profile.end()) return it->second;
  if (auto it = by_profile.find(std::string(kAllProfiles)); it != by_profile.end()) {
    return it->second;
  }
  return 1;
}

const Requirement* Spec::FindRequirement(std::string_view requirement_id) const {
  for (const Requirement& requirement : requirements) {
    if (requirement.id == requirement_id) return &requirement;
  }
  return nullptr;
}

}  // namespace lepton::spec
