#include "conformance/spec/spec_loader.h"

#include <algorithm>
#include <regex>
#include <set>

#include "conformance/core/sha256.h"
#include "conformance/core/strings.h"
#include "conformance/core/version.h"
#include "conformance/spec/doc_reader.h"
#include "conformance/spec/energy_metrics.h"
#include "conformance/spec/workload_types.h"

namespace lepton::spec {
namespace {

// Long text (a hostile file may hold a megabyte in one scalar) is cut in messages.
std::string Quote(std::string_view text) {
  constexpr std::size_t kShown = 80;
  if (text.size() <= kShown) return "'" + std::string(text) + "'";
  return "'" + std::string(text.substr(0, kShown)) + "...' (" + std::to_string(text.size()) +
         " bytes)";
}

// libstdc++'s std::regex_match recurses once per character, so one scalar of a few hundred
// kilobytes overflowed the stack (found with a crafted input to spec_loader_fuzz). Ids, names,
// versions and conditions are short; longer text never reaches a pattern.
constexpr std::size_t kMaxPatternTextBytes = 256;

bool RegexMatch(const std::string& text, const std::regex& pattern, std::smatch* match = nullptr) {
  if (text.size() > kMaxPatternTextBytes) return false;
  return match != nullptr ? std::regex_match(text, *match, pattern)
                          : std::regex_match(text, pattern);
}

bool IsValidRequirementId(const std::string& id) {
  static const std::regex kPattern("^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$");
  return RegexMatch(id, kPattern);
}

bool IsValidName(const std::string& name) {
  static const std::regex kPattern("^[a-z][a-z0-9]*(-[a-z0-9]+)*$");
  return RegexMatch(name, kPattern);
}

// "OP NUMBER" for preconditions (`gpus: ">= 1"`), "FACT OP NUMBER" for applies_if.
Result<Condition> ParseCondition(const DocNode& node, std::string_view what,
                                 std::string_view fact) {
  LEPTON_ASSIGN_OR_RETURN(std::string text, ReadString(node, what));
  static const std::regex kWithFact(R"(^\s*([a-z_]+)\s*(<=|>=|==|<|>)\s*([0-9]+(\.[0-9]+)?)\s*$)");
  static const std::regex kWithoutFact(R"(^\s*(<=|>=|==|<|>)\s*([0-9]+(\.[0-9]+)?)\s*$)");
  std::smatch match;
  Condition condition;
  condition.location = node.location;
  if (fact.empty()) {
    if (!RegexMatch(text, kWithFact, &match)) {
      return std::unexpected(ErrorAt(node.location, std::string(what) +
                                                        ": expected a condition "
                                                        "like \"ranks >= 2\", found " +
                                                        Quote(text)));
    }
    condition.fact = match[1];
    condition.op = *ParseComparison(match[2].str());
    condition.value = std::stod(match[3]);
  } else {
    if (!RegexMatch(text, kWithoutFact, &match)) {
      return std::unexpected(ErrorAt(node.location, std::string(what) +
                                                        ": expected a comparison "
                                                        "like \">= 1\", found " +
                                                        Quote(text)));
    }
    condition.fact = fact;
    condition.op = *ParseComparison(match[1].str());
    condition.value = std::stod(match[2]);
  }
  const auto facts = KnownFacts();
  if (std::none_of(facts.begin(), facts.end(),
                   [&](const FactInfo& f) { return f.name == condition.fact; })) {
    return std::unexpected(
        ErrorAt(node.location, "unknown fact " + Quote(condition.fact) +
                                   "; known facts: " + JoinComma(facts, &FactInfo::name)));
  }
  return condition;
}

Result<std::string> ReadChoice(const DocNode& node, std::string_view what,
                               std::initializer_list<std::string_view> choices) {
  LEPTON_ASSIGN_OR_RETURN(std::string text, ReadString(node, what));
  for (std::string_view choice : choices) {
    if (choice == text) return text;
  }
  return std::unexpected(ErrorAt(node.location, std::string(what) + ": " + Quote(text) +
                                                    " is not one of: " + JoinComma(choices)));
}

Result<Value> ReadValue(const DocNode& node, ValueKind kind, std::string_view what) {
  switch (kind) {
    case ValueKind::kNumber: {
      LEPTON_ASSIGN_OR_RETURN(double number, ReadNumber(node, what));
      return Value(number);
    }
    case ValueKind::kBool: {
      LEPTON_ASSIGN_OR_RETURN(bool flag, ReadBool(node, what));
      return Value(flag);
    }
    case ValueKind::kVersion: {
      LEPTON_ASSIGN_OR_RETURN(std::string text, ReadString(node, what));
      if (auto parsed = Version::Parse(text); !parsed) {
        return std::unexpected(
            ErrorAt(node.location, std::string(what) + ": " + parsed.error().message()));
      }
      return Value(text);
    }
    case ValueKind::kText: {
      LEPTON_ASSIGN_OR_RETURN(std::string text, ReadString(node, what));
      return Value(text);
    }
  }
  return std::unexpected(InternalError("unhandled value kind"));
}

Status CheckRange(const DocNode& node, double value, const ParamSchema& schema) {
  if (value < schema.min || value > schema.max) {
    return ErrorAt(node.location, std::string(schema.path) + ": " + node.scalar + " is outside [" +
                                      ValueToString(schema.min) + ", " + ValueToString(schema.max) +
                                      "]");
  }
  return OkStatus();
}

Result<ParamValue> ReadParam(const DocNode& node, const ParamSchema& schema) {
  const std::string what(schema.path);
  switch (schema.kind) {
    case ParamKind::kBool: {
      LEPTON_ASSIGN_OR_RETURN(bool flag, ReadBool(node, what));
      return ParamValue(flag);
    }
    case ParamKind::kInt: {
      LEPTON_ASSIGN_OR_RETURN(std::int64_t number, ReadInt(node, what));
      LEPTON_RETURN_IF_ERROR(CheckRange(node, static_cast<double>(number), schema));
      return ParamValue(number);
    }
    case ParamKind::kNumber: {
      LEPTON_ASSIGN_OR_RETURN(double number, ReadNumber(node, what));
      LEPTON_RETURN_IF_ERROR(CheckRange(node, number, schema));
      return ParamValue(number);
    }
    case ParamKind::kString: {
      LEPTON_ASSIGN_OR_RETURN(std::string text, ReadString(node, what));
      if (!schema.choices.empty() &&
          std::find(schema.choices.begin(), schema.choices.end(), text) == schema.choices.end()) {
        return std::unexpected(
            ErrorAt(node.location,
                    what + ": " + Quote(text) + " is not one of: " + JoinComma(schema.choices)));
      }
      return ParamValue(text);
    }
    case ParamKind::kStringList: {
      LEPTON_ASSIGN_OR_RETURN(auto list, ReadStringList(node, what));
      // Every string list is a set of choices (operations, placements, types): an item given
      // twice would be measured twice and reported once, so it is a mistake in the spec.
      std::set<std::string_view> seen;
      for (std::size_t i = 0; i < list.size(); ++i) {
        if (!seen.insert(list[i]).second) {
          return std::unexpected(
              ErrorAt(node.items[i].location, what + ": " + Quote(list[i]) + " is listed twice"));
        }
      }
      return ParamValue(std::move(list));
    }
    case ParamKind::kIntList:
    case ParamKind::kNumberList: {
      if (node.type != DocNode::Type::kSequence) {
        return std::unexpected(
            ErrorAt(node.location, what + ": expected " + std::string(ParamKindName(schema.kind))));
      }
      std::vector<std::int64_t> ints;
      std::vector<double> numbers;
      for (const DocNode& item : node.items) {
        if (schema.kind == ParamKind::kIntList) {
          LEPTON_ASSIGN_OR_RETURN(std::int64_t number, ReadInt(item, what));
          LEPTON_RETURN_IF_ERROR(CheckRange(item, static_cast<double>(number), schema));
          ints.push_back(number);
        } else {
          LEPTON_ASSIGN_OR_RETURN(double number, ReadNumber(item, what));
          LEPTON_RETURN_IF_ERROR(CheckRange(item, number, schema));
          numbers.push_back(number);
        }
      }
      if (schema.kind == ParamKind::kIntList) return ParamValue(std::move(ints));
      return ParamValue(std::move(numbers));
    }
  }
  return std::unexpected(InternalError("unhandled parameter kind"));
}

// Walks nested maps, turning leaves into dotted parameter paths checked against the schema.
Status FlattenParams(const DocNode& node, const std::string& prefix, const WorkloadType& type,
                     ParamMap& out) {
  for (const auto& [key, value] : node.entries) {
    const std::string path = prefix.empty() ? key.scalar : prefix + "." + key.scalar;
    if (const ParamSchema* schema = FindParam(type, path)) {
      LEPTON_ASSIGN_OR_RETURN(ParamValue parsed, ReadParam(value, *schema));
      out[path] = Param{std::move(parsed), value.location};
      continue;
    }
    const bool is_group =
        std::any_of(type.params.begin(), type.params.end(),
                    [&](const ParamSchema& p) { return p.path.starts_with(path + "."); });
    if (!is_group) {
      std::string known;
      for (const ParamSchema& p : type.params) {
        if (prefix.empty() || p.path.starts_with(prefix + ".")) {
          known += (known.empty() ? "" : ", ") + std::string(p.path);
        }
      }
      return ErrorAt(key.location, "unknown parameter " + Quote(path) + " for workload type " +
                                       Quote(type.name) +
                                       "; known: " + (known.empty() ? "none" : known));
    }
    if (value.type != DocNode::Type::kMap) {
      return ErrorAt(value.location, path + ": expected a map of parameters");
    }
    LEPTON_RETURN_IF_ERROR(FlattenParams(value, path, type, out));
  }
  return OkStatus();
}

class Loader {
 public:
  explicit Loader(const SpecSource& source) : source_(source) {}

  Result<Spec> Load(std::string_view main_file) {
    LEPTON_ASSIGN_OR_RETURN(DocNode root, ReadFile(main_file));
    LEPTON_ASSIGN_OR_RETURN(
        MapView top, MapView::Open(root, "the spec's main file",
                                   {"spec", "version", "status", "title", "description", "includes",
                                    "profiles", "workloads", "requirements"}));
    LEPTON_RETURN_IF_ERROR(ReadHeader(top));
    LEPTON_RETURN_IF_ERROR(ReadSections(top));
    if (const DocNode* includes = top.Get("includes")) {
      LEPTON_ASSIGN_OR_RETURN(auto paths, ReadStringList(*includes, "includes"));
      std::set<std::string> seen{std::string(main_file)};
      for (std::size_t i = 0; i < paths.size(); ++i) {
        const DocNode& item = includes->items[i];
        if (Status safe = CheckRelativeSpecPath(paths[i]); !safe.ok()) {
          return std::unexpected(ErrorAt(item.location, "includes: " + safe.message()));
        }
        if (!seen.insert(paths[i]).second) {
          return std::unexpected(
              ErrorAt(item.location, "includes: " + Quote(paths[i]) + " is listed twice"));
        }
        auto included = ReadFile(paths[i]);
        if (!included) {
          return std::unexpected(
              ErrorAt(item.location, "cannot include: " + included.error().message()));
        }
        LEPTON_ASSIGN_OR_RETURN(
            MapView part, MapView::Open(*included, "an included spec file",
                                        {"description", "profiles", "workloads", "requirements"}));
        LEPTON_RETURN_IF_ERROR(ReadSections(part));
      }
    }
    LEPTON_RETURN_IF_ERROR(CheckReferences(root.location));
    spec_.sha256 = SpecDigest(spec_.files);
    return std::move(spec_);
  }

 private:
  Result<DocNode> ReadFile(std::string_view relative) {
    LEPTON_ASSIGN_OR_RETURN(std::string bytes, source_.Read(relative));
    spec_.files.push_back(SpecFile{std::string(relative), bytes});
    LEPTON_ASSIGN_OR_RETURN(DocNode root, ParseYaml(bytes, source_.DisplayName(relative)));
    if (root.type == DocNode::Type::kNull) {
      return std::unexpected(
          InvalidArgumentError(source_.DisplayName(relative) + ": file is empty"));
    }
    return root;
  }

  // Not const: it fills spec_ through LEPTON_ASSIGN_OR_RETURN, which clang-tidy 14 cannot parse
  // on libstdc++ 12's <expected>.
  Status ReadHeader(const MapView& top) {  // NOLINT(readability-make-member-function-const)
    LEPTON_ASSIGN_OR_RETURN(const DocNode* id, top.Require("spec"));
    LEPTON_ASSIGN_OR_RETURN(spec_.id, ReadString(*id, "spec"));
    if (!IsValidName(spec_.id)) {
      return ErrorAt(id->location,
                     "spec: " + Quote(spec_.id) + " must be lower-case words joined by '-'");
    }
    LEPTON_ASSIGN_OR_RETURN(const DocNode* version, top.Require("version"));
    LEPTON_ASSIGN_OR_RETURN(spec_.version, ReadString(*version, "version"));
    static const std::regex kSemver(R"(^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$)");
    if (!RegexMatch(spec_.version, kSemver)) {
      return ErrorAt(version->location,
                     "version: expected MAJOR.MINOR.PATCH, found " + Quote(spec_.version));
    }
    LEPTON_ASSIGN_OR_RETURN(const DocNode* status, top.Require("status"));
    LEPTON_ASSIGN_OR_RETURN(spec_.status, ReadChoice(*status, "status", {"draft", "released"}));
    if (const DocNode* title = top.Get("title")) {
      LEPTON_ASSIGN_OR_RETURN(spec_.title, ReadString(*title, "title"));
    }
    return OkStatus();
  }

  Status ReadSections(const MapView& part) {
    if (const DocNode* profiles = part.Get("profiles")) {
      if (profiles->type != DocNode::Type::kMap) {
        return ErrorAt(profiles->location, "profiles: expected a map of profile names");
      }
      for (const auto& [key, value] : profiles->entries)
        LEPTON_RETURN_IF_ERROR(ReadProfile(key, value));
    }
    if (const DocNode* workloads = part.Get("workloads")) {
      if (workloads->type != DocNode::Type::kMap) {
        return ErrorAt(workloads->location, "workloads: expected a map of workload names");
      }
      for (const auto& [key, value] : workloads->entries) {
        LEPTON_RETURN_IF_ERROR(ReadWorkload(key, value));
      }
    }
    if (const DocNode* requirements = part.Get("requirements")) {
      if (requirements->type != DocNode::Type::kSequence) {
        return ErrorAt(requirements->location, "requirements: expected a list of requirements");
      }
      for (const DocNode& item : requirements->items) LEPTON_RETURN_IF_ERROR(ReadRequirement(item));
    }
    return OkStatus();
  }

  Status ReadProfile(const DocNode& key, const DocNode& value) {
    Profile profile;
    profile.name = key.scalar;
    profile.location = key.location;
    if (!IsValidName(profile.name) || profile.name == kAllProfiles) {
      return ErrorAt(key.location, "profile name " + Quote(profile.name) +
                                       " must be lower-case words joined by '-' and not 'all'");
    }
    if (auto it = spec_.profiles.find(profile.name); it != spec_.profiles.end()) {
      return ErrorAt(key.location, "duplicate profile " + Quote(profile.name) +
                                       ", first defined at " + it->second.location.ToString());
    }
    const std::string what = "profile " + Quote(profile.name);
    LEPTON_ASSIGN_OR_RETURN(MapView map, MapView::Open(value, what,
                                                       {"title", "devices", "scale", "comm",
                                                        "requires", "requires_because", "energy"}));
    if (const DocNode* title = map.Get("title")) {
      LEPTON_ASSIGN_OR_RETURN(profile.title, ReadString(*title, "title"));
    }
    if (const DocNode* devices = map.Get("devices")) {
      LEPTON_ASSIGN_OR_RETURN(profile.devices, ReadChoice(*devices, "devices", {"cpu", "cuda"}));
    }
    if (const DocNode* scale = map.Get("scale")) {
      LEPTON_ASSIGN_OR_RETURN(profile.scale, ReadChoice(*scale, "scale", {"full", "small"}));
    }
    if (const DocNode* comm = map.Get("comm")) {
      LEPTON_ASSIGN_OR_RETURN(profile.comm,
                              ReadChoice(*comm, "comm", {"none", "mpi", "nccl", "nccl-local"}));
      // One process driving every local GPU: nothing to do without GPUs.
      if (profile.comm == "nccl-local" && profile.devices != "cuda") {
        return ErrorAt(comm->location, what +
                                           ": comm: nccl-local (one process over every local GPU, "
                                           "ncclCommInitAll) needs devices: cuda");
      }
    }
    if (const DocNode* requires_node = map.Get("requires")) {
      if (requires_node->type != DocNode::Type::kMap) {
        return ErrorAt(requires_node->location,
                       what + ": requires: expected a map of fact: \">= N\"");
      }
      for (const auto& [fact, condition] : requires_node->entries) {
        LEPTON_ASSIGN_OR_RETURN(Condition parsed,
                                ParseCondition(condition, "requires." + fact.scalar, fact.scalar));
        profile.preconditions.push_back(std::move(parsed));
      }
    }
    if (const DocNode* because = map.Get("requires_because")) {
      LEPTON_ASSIGN_OR_RETURN(profile.requires_because, ReadString(*because, "requires_because"));
    }
    if (const DocNode* energy = map.Get("energy")) {
      LEPTON_RETURN_IF_ERROR(ReadEnergySettings(*energy, what, profile.energy));
    }
    spec_.profiles.emplace(profile.name, std::move(profile));
    return OkStatus();
  }

  static Status ReadEnergySettings(const DocNode& node, const std::string& profile_what,
                                   EnergySettings& settings) {
    LEPTON_ASSIGN_OR_RETURN(MapView map,
                            MapView::Open(node, profile_what + ": energy",
                                          {"min_region_s", "idle_s", "sample_hz", "max_gap_s"}));
    struct Field {
      std::string_view key;
      double* value;
      double min;
      double max;
    };
    const Field fields[] = {{"min_region_s", &settings.min_region_s, 0, 3600},
                            {"idle_s", &settings.idle_s, 0.1, 600},
                            {"sample_hz", &settings.sample_hz, 0.1, 1000},
                            {"max_gap_s", &settings.max_gap_s, 0.001, 600}};
    for (const Field& field : fields) {
      const DocNode* item = map.Get(field.key);
      if (item == nullptr) continue;
      const std::string what = "energy." + std::string(field.key);
      LEPTON_ASSIGN_OR_RETURN(*field.value, ReadNumber(*item, what));
      if (*field.value < field.min || *field.value > field.max) {
        return ErrorAt(item->location, what + ": " + item->scalar + " is outside [" +
                                           ValueToString(field.min) + ", " +
                                           ValueToString(field.max) + "]");
      }
    }
    return OkStatus();
  }

  Status ReadWorkload(const DocNode& key, const DocNode& value) {
    WorkloadSpec workload;
    workload.name = key.scalar;
    workload.location = key.location;
    if (!IsValidName(workload.name)) {
      return ErrorAt(key.location, "workload name " + Quote(workload.name) +
                                       " must be lower-case words joined by '-'");
    }
    if (auto it = spec_.workloads.find(workload.name); it != spec_.workloads.end()) {
      return ErrorAt(key.location, "duplicate workload " + Quote(workload.name) +
                                       ", first defined at " + it->second.location.ToString());
    }
    const std::string what = "workload " + Quote(workload.name);
    if (value.type != DocNode::Type::kMap) {
      return ErrorAt(value.location, what + ": expected a map");
    }
    const DocNode* type_node = value.Find("type");
    if (type_node == nullptr)
      return ErrorAt(value.location, what + ": missing required key 'type'");
    LEPTON_ASSIGN_OR_RETURN(workload.type, ReadString(*type_node, "type"));
    const WorkloadType* type = FindWorkloadType(workload.type);
    if (type == nullptr) {
      return ErrorAt(type_node->location,
                     "unknown workload type " + Quote(workload.type) +
                         "; known: " + JoinComma(WorkloadTypes(), &WorkloadType::name));
    }
    DocNode params;  // everything but the keys every workload has
    params.type = DocNode::Type::kMap;
    for (const auto& [k, v] : value.entries) {
      if (k.scalar == "type") continue;
      if (k.scalar == "title") {
        LEPTON_ASSIGN_OR_RETURN(workload.title, ReadString(v, "title"));
      } else if (k.scalar == "warmup_runs") {
        LEPTON_ASSIGN_OR_RETURN(std::int64_t warmup, ReadInt(v, "warmup_runs"));
        if (warmup < 0 || warmup > 100) {
          return ErrorAt(v.location, "warmup_runs: must be between 0 and 100");
        }
        workload.warmup_runs = static_cast<int>(warmup);
      } else if (k.scalar == "scale") {
        if (v.type != DocNode::Type::kMap) {
          return ErrorAt(v.location, what + ": scale: expected a map of scale names");
        }
        for (const auto& [scale, overrides] : v.entries) {
          if (std::find(std::begin(kScales), std::end(kScales), scale.scalar) ==
              std::end(kScales)) {
            return ErrorAt(scale.location,
                           "unknown scale " + Quote(scale.scalar) + "; known: full, small");
          }
          if (overrides.type != DocNode::Type::kMap) {
            return ErrorAt(overrides.location, "scale." + scale.scalar + ": expected a map");
          }
          LEPTON_RETURN_IF_ERROR(
              FlattenParams(overrides, "", *type, workload.scale_overrides[scale.scalar]));
        }
      } else {
        params.entries.emplace_back(k, v);
      }
    }
    LEPTON_RETURN_IF_ERROR(FlattenParams(params, "", *type, workload.params));
    for (const ParamSchema& schema : type->params) {
      if (schema.required && !workload.params.contains(std::string(schema.path))) {
        return ErrorAt(value.location, what + ": missing required parameter " + Quote(schema.path));
      }
    }
    LEPTON_RETURN_IF_ERROR(type->check(workload, workload.params));
    for (const auto& [scale, overrides] : workload.scale_overrides) {
      ParamMap merged = workload.params;
      for (const auto& [path, param] : overrides) merged[path] = param;
      LEPTON_RETURN_IF_ERROR(type->check(workload, merged));
    }
    spec_.workloads.emplace(workload.name, std::move(workload));
    return OkStatus();
  }

  Status ReadRequirement(const DocNode& node) {
    Requirement requirement;
    requirement.location = node.location;
    const DocNode* id_node = node.type == DocNode::Type::kMap ? node.Find("id") : nullptr;
    if (id_node == nullptr) {
      return ErrorAt(node.location, "requirement: expected a map with an 'id'");
    }
    LEPTON_ASSIGN_OR_RETURN(requirement.id, ReadString(*id_node, "id"));
    if (!IsValidRequirementId(requirement.id)) {
      return ErrorAt(id_node->location, "id " + Quote(requirement.id) +
                                            " must be upper-case words joined by '-', like "
                                            "PERF-MNIST-TTA");
    }
    if (const Requirement* first = spec_.FindRequirement(requirement.id)) {
      return ErrorAt(id_node->location, "duplicate requirement id " + Quote(requirement.id) +
                                            ", first defined at " + first->location.ToString());
    }
    const std::string what = "requirement " + Quote(requirement.id);
    LEPTON_ASSIGN_OR_RETURN(
        MapView map,
        MapView::Open(node, what,
                      {"id", "kind", "level", "title", "description", "workload", "metric", "unit",
                       "statistic", "runs", "threshold", "applies_if", "headline", "methods"}));
    LEPTON_ASSIGN_OR_RETURN(const DocNode* kind, map.Require("kind"));
    LEPTON_ASSIGN_OR_RETURN(
        std::string kind_text,
        ReadChoice(*kind, "kind", {"interface", "data-format", "performance", "energy"}));
    requirement.kind = *ParseRequirementKind(kind_text);
    LEPTON_RETURN_IF_ERROR(ReadMethods(map.Get("methods"), what, requirement));
    LEPTON_ASSIGN_OR_RETURN(const DocNode* level, map.Require("level"));
    LEPTON_ASSIGN_OR_RETURN(std::string level_text,
                            ReadChoice(*level, "level", {"MUST", "SHOULD"}));
    requirement.level = *ParseLevel(level_text);
    LEPTON_ASSIGN_OR_RETURN(const DocNode* title, map.Require("title"));
    LEPTON_ASSIGN_OR_RETURN(requirement.title, ReadString(*title, "title"));
    if (const DocNode* description = map.Get("description")) {
      LEPTON_ASSIGN_OR_RETURN(requirement.description, ReadString(*description, "description"));
    }
    LEPTON_ASSIGN_OR_RETURN(const DocNode* workload, map.Require("workload"));
    LEPTON_ASSIGN_OR_RETURN(requirement.workload, ReadString(*workload, "workload"));
    requirement.workload_location = workload->location;
    LEPTON_ASSIGN_OR_RETURN(const DocNode* metric, map.Require("metric"));
    LEPTON_ASSIGN_OR_RETURN(requirement.metric, ReadString(*metric, "metric"));
    requirement.metric_location = metric->location;
    LEPTON_ASSIGN_OR_RETURN(const DocNode* unit, map.Require("unit"));
    LEPTON_ASSIGN_OR_RETURN(requirement.unit, ReadString(*unit, "unit"));
    requirement.unit_location = unit->location;
    const auto unit_info = FindUnit(requirement.unit);
    if (!unit_info) {
      return ErrorAt(unit->location, "unknown unit " + Quote(requirement.unit) +
                                         "; known: " + JoinComma(KnownUnits(), &UnitInfo::name));
    }
    if (const DocNode* statistic = map.Get("statistic")) {
      LEPTON_ASSIGN_OR_RETURN(
          std::string text,
          ReadChoice(*statistic, "statistic", {"median", "mean", "min", "max", "p90", "p99"}));
      if (unit_info->kind != ValueKind::kNumber) {
        return ErrorAt(statistic->location, "statistic applies to numbers only; unit " +
                                                Quote(requirement.unit) + " holds a " +
                                                std::string(ValueKindName(unit_info->kind)) +
                                                ", which every run must agree on");
      }
      requirement.statistic = ParseStatistic(text);
    } else if (unit_info->kind == ValueKind::kNumber) {
      return ErrorAt(node.location, what + ": missing required key 'statistic' (numbers need one)");
    }
    if (const DocNode* runs = map.Get("runs")) LEPTON_RETURN_IF_ERROR(ReadRuns(*runs, requirement));
    LEPTON_ASSIGN_OR_RETURN(const DocNode* threshold, map.Require("threshold"));
    LEPTON_RETURN_IF_ERROR(ReadThreshold(*threshold, unit_info->kind, requirement));
    if (const DocNode* applies_if = map.Get("applies_if")) {
      LEPTON_ASSIGN_OR_RETURN(requirement.applies_if,
                              ParseCondition(*applies_if, "applies_if", ""));
    }
    if (const DocNode* headline = map.Get("headline")) {
      LEPTON_ASSIGN_OR_RETURN(requirement.headline, ReadBool(*headline, "headline"));
      const bool ranks = requirement.statistic.has_value() &&
                         requirement.threshold.op != Comparison::kEqual &&
                         (requirement.kind == RequirementKind::kPerformance ||
                          requirement.kind == RequirementKind::kEnergy);
      if (requirement.headline && !ranks) {
        return ErrorAt(headline->location,
                       "headline: only a performance or energy requirement on a number with an "
                       "upper or lower bound can rank systems");
      }
    }
    spec_.requirements.push_back(std::move(requirement));
    return OkStatus();
  }

  // An energy requirement states the measurement methods it accepts; no other kind may.
  static Status ReadMethods(const DocNode* node, const std::string& what,
                            Requirement& requirement) {
    const std::vector<std::string_view> tiers = EnergyTierNames();
    if (requirement.kind != RequirementKind::kEnergy) {
      if (node == nullptr) return OkStatus();
      return ErrorAt(node->location, what + ": methods applies to energy requirements only");
    }
    if (node == nullptr) {
      return ErrorAt(requirement.location, what +
                                               ": missing required key 'methods' (the "
                                               "measurement methods it accepts, from: " +
                                               JoinComma(tiers) + ")");
    }
    if (node->type != DocNode::Type::kSequence || node->items.empty()) {
      return ErrorAt(node->location,
                     "methods: expected a non-empty list of methods from: " + JoinComma(tiers));
    }
    for (const DocNode& item : node->items) {
      LEPTON_ASSIGN_OR_RETURN(std::string name, ReadString(item, "methods"));
      const std::optional<EnergyTier> tier = ParseEnergyTier(name);
      if (!tier) {
        return ErrorAt(item.location,
                       "methods: " + Quote(name) + " is not one of: " + JoinComma(tiers));
      }
      if (std::find(requirement.methods.begin(), requirement.methods.end(), *tier) !=
          requirement.methods.end()) {
        return ErrorAt(item.location, "methods: " + Quote(name) + " is listed twice");
      }
      requirement.methods.push_back(*tier);
    }
    return OkStatus();
  }

  static Status ReadRuns(const DocNode& node, Requirement& requirement) {
    requirement.runs.location = node.location;
    const auto read_one = [&](const DocNode& value, const std::string& profile) -> Status {
      LEPTON_ASSIGN_OR_RETURN(std::int64_t runs, ReadInt(value, "runs"));
      if (runs < 1 || runs > 1000)
        return ErrorAt(value.location, "runs: must be between 1 and 1000");
      requirement.runs.by_profile[profile] = static_cast<int>(runs);
      return OkStatus();
    };
    if (node.type == DocNode::Type::kMap) {
      for (const auto& [profile, value] : node.entries) {
        LEPTON_RETURN_IF_ERROR(read_one(value, profile.scalar));
      }
      return OkStatus();
    }
    return read_one(node, std::string(kAllProfiles));
  }

  static Status ReadThreshold(const DocNode& node, ValueKind kind, Requirement& requirement) {
    Threshold& threshold = requirement.threshold;
    threshold.location = node.location;
    if (node.type != DocNode::Type::kMap) {
      return ErrorAt(node.location, "threshold: expected a map like {op: \">=\", cpu: 10}");
    }
    const DocNode* op = node.Find("op");
    if (op == nullptr) return ErrorAt(node.location, "threshold: missing required key 'op'");
    LEPTON_ASSIGN_OR_RETURN(std::string op_text,
                            ReadChoice(*op, "threshold.op", {"<", "<=", ">", ">=", "=="}));
    threshold.op = *ParseComparison(op_text);
    if ((kind == ValueKind::kBool || kind == ValueKind::kText) &&
        threshold.op != Comparison::kEqual) {
      return ErrorAt(op->location, "threshold.op: unit " + Quote(requirement.unit) +
                                       " compares only with \"==\"");
    }
    for (const auto& [profile, value] : node.entries) {
      if (profile.scalar == "op") continue;
      LEPTON_ASSIGN_OR_RETURN(Value parsed, ReadValue(value, kind, "threshold." + profile.scalar));
      threshold.by_profile[profile.scalar] = ThresholdEntry{std::move(parsed), value.location};
    }
    if (threshold.by_profile.empty()) {
      return ErrorAt(node.location, "threshold: names no profile; add e.g. 'all: VALUE'");
    }
    return OkStatus();
  }

  Status CheckProfileKey(const std::string& key, const SourceLocation& location,
                         std::string_view what) const {
    if (key == kAllProfiles || spec_.profiles.contains(key)) return OkStatus();
    const auto name_of = [](const auto& entry) -> const std::string& { return entry.first; };
    return ErrorAt(location, std::string(what) + ": unknown profile " + Quote(key) +
                                 "; known: " + JoinComma(spec_.profiles, name_of) + " (or 'all')");
  }

  Status CheckReferences(const SourceLocation& main_location) const {
    if (spec_.profiles.empty()) return ErrorAt(main_location, "the spec defines no profiles");
    for (const Requirement& requirement : spec_.requirements) {
      const std::string what = "requirement " + Quote(requirement.id);
      auto workload = spec_.workloads.find(requirement.workload);
      if (workload == spec_.workloads.end()) {
        return ErrorAt(requirement.workload_location,
                       what + ": unknown workload " + Quote(requirement.workload));
      }
      const WorkloadType& type = *FindWorkloadType(workload->second.type);
      const MetricSchema* metric = FindMetric(type, requirement.metric);
      if (metric == nullptr) {
        return ErrorAt(requirement.metric_location,
                       what + ": workload type " + Quote(type.name) + " has no metric " +
                           Quote(requirement.metric) +
                           "; known: " + JoinComma(type.metrics, &MetricSchema::name));
      }
      const bool energy_kind = requirement.kind == RequirementKind::kEnergy;
      if (IsEnergyMetric(requirement.metric) != energy_kind) {
        return ErrorAt(requirement.metric_location,
                       energy_kind
                           ? what + ": an energy requirement judges an energy figure (" +
                                 JoinComma(kEnergyMetrics) + "), not " + Quote(requirement.metric)
                           : what + ": " + Quote(requirement.metric) +
                                 " is an energy figure; only a requirement of kind "
                                 "'energy' (which states the methods it accepts) may "
                                 "judge it");
      }
      if (metric->unit != requirement.unit) {
        return ErrorAt(requirement.unit_location, what + ": metric " + Quote(requirement.metric) +
                                                      " is measured in " + Quote(metric->unit) +
                                                      ", not " + Quote(requirement.unit));
      }
      for (const auto& [profile, entry] : requirement.threshold.by_profile) {
        LEPTON_RETURN_IF_ERROR(CheckProfileKey(profile, entry.location, what + ": threshold"));
      }
      for (const auto& [profile, runs] : requirement.runs.by_profile) {
        LEPTON_RETURN_IF_ERROR(
            CheckProfileKey(profile, requirement.runs.location, what + ": runs"));
      }
    }
    return OkStatus();
  }

  const SpecSource& source_;
  Spec spec_;
};

}  // namespace

std::string SpecDigest(const std::vector<SpecFile>& files) {
  std::vector<const SpecFile*> sorted;
  for (const SpecFile& file : files) sorted.push_back(&file);
  std::sort(sorted.begin(), sorted.end(),
            [](const SpecFile* a, const SpecFile* b) { return a->path < b->path; });
  Sha256 hasher;
  for (const SpecFile* file : sorted) {
    hasher.Update(file->path + "\n" + std::to_string(file->bytes.size()) + "\n");
    hasher.Update(file->bytes);
  }
  return hasher.FinishHex();
}

Result<Spec> LoadSpec(const SpecSource& source, std::string_view main_file) {
  return Loader(source).Load(main_file);
}

Result<Spec> LoadSpecFromPath(const std::filesystem::path& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    return LoadSpec(DirectorySource(path), kMainSpecFile);
  }
  if (!std::filesystem::exists(path, error)) {
    return std::unexpected(NotFoundError(path.string() + ": no such file or directory"));
  }
  const std::filesystem::path directory =
      path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  return LoadSpec(DirectorySource(directory), path.filename().string());
}

}  // namespace lepton::spec
