#include "conformance/spec/overlay.h"

#include <fstream>
#include <sstream>

#include "conformance/core/version.h"
#include "conformance/spec/doc_reader.h"
#include "conformance/spec/spec_source.h"
#include "conformance/spec/yaml_document.h"

namespace lepton::spec {
namespace {

// Whether `candidate` is at least as strict as `current` under `op`.
Result<bool> IsAtLeastAsStrict(Comparison op, const Value& current, const Value& candidate) {
  if (const auto* old_number = std::get_if<double>(&current)) {
    const double new_number = std::get<double>(candidate);
    switch (op) {
      case Comparison::kLess:
      case Comparison::kLessEqual:
        return new_number <= *old_number;
      case Comparison::kGreater:
      case Comparison::kGreaterEqual:
        return new_number >= *old_number;
      case Comparison::kEqual:
        return new_number == *old_number;
    }
  }
  if (op == Comparison::kEqual) return current == candidate;
  LEPTON_ASSIGN_OR_RETURN(Version old_version, Version::Parse(std::get<std::string>(current)));
  LEPTON_ASSIGN_OR_RETURN(Version new_version, Version::Parse(std::get<std::string>(candidate)));
  if (op == Comparison::kLess || op == Comparison::kLessEqual) return new_version <= old_version;
  return new_version >= old_version;
}

Result<Value> ReadLike(const DocNode& node, const Value& like, std::string_view what) {
  if (std::holds_alternative<double>(like)) {
    LEPTON_ASSIGN_OR_RETURN(double number, ReadNumber(node, what));
    return Value(number);
  }
  if (std::holds_alternative<bool>(like)) {
    LEPTON_ASSIGN_OR_RETURN(bool flag, ReadBool(node, what));
    return Value(flag);
  }
  LEPTON_ASSIGN_OR_RETURN(std::string text, ReadString(node, what));
  return Value(text);
}

}  // namespace

Result<Overlay> ParseOverlay(std::string_view bytes, std::string_view display_name) {
  LEPTON_ASSIGN_OR_RETURN(DocNode root, ParseYaml(bytes, display_name));
  LEPTON_ASSIGN_OR_RETURN(
      MapView top, MapView::Open(root, "the overlay", {"overlay", "spec", "system", "thresholds"}));
  Overlay overlay;
  overlay.file = SpecFile{std::string(display_name), std::string(bytes)};
  LEPTON_ASSIGN_OR_RETURN(const DocNode* name, top.Require("overlay"));
  LEPTON_ASSIGN_OR_RETURN(overlay.name, ReadString(*name, "overlay"));
  LEPTON_ASSIGN_OR_RETURN(const DocNode* spec_id, top.Require("spec"));
  LEPTON_ASSIGN_OR_RETURN(overlay.spec_id, ReadString(*spec_id, "spec"));
  if (const DocNode* system = top.Get("system")) {
    if (system->type != DocNode::Type::kMap) {
      return std::unexpected(ErrorAt(system->location, "system: expected a map of strings"));
    }
    for (const auto& [key, value] : system->entries) {
      LEPTON_ASSIGN_OR_RETURN(overlay.system[key.scalar],
                              ReadString(value, "system." + key.scalar));
    }
  }
  if (const DocNode* thresholds = top.Get("thresholds")) {
    if (thresholds->type != DocNode::Type::kMap) {
      return std::unexpected(
          ErrorAt(thresholds->location, "thresholds: expected a map of requirement ids"));
    }
    for (const auto& [id, per_profile] : thresholds->entries) {
      if (per_profile.type != DocNode::Type::kMap) {
        return std::unexpected(ErrorAt(per_profile.location,
                                       "thresholds." + id.scalar + ": expected {profile: value}"));
      }
      for (const auto& [profile, value] : per_profile.entries) {
        // Values stay untyped text here; ApplyOverlay reads them with the requirement's type.
        ThresholdChange change{id.scalar, profile.scalar, Value(value.scalar), value.location};
        if (value.type != DocNode::Type::kScalar) {
          return std::unexpected(
              ErrorAt(value.location,
                      "thresholds." + id.scalar + "." + profile.scalar + ": expected a value"));
        }
        overlay.thresholds.push_back(std::move(change));
      }
    }
  }
  return overlay;
}

Result<Overlay> LoadOverlayFromPath(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::unexpected(NotFoundError(path.string() + ": cannot open overlay"));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (buffer.str().size() > kMaxSpecFileBytes) {
    return std::unexpected(ResourceExhaustedError(path.string() + ": overlay larger than 1 MiB"));
  }
  return ParseOverlay(buffer.str(), path.string());
}

Status ApplyOverlay(const Overlay& overlay, Spec& spec) {
  if (overlay.spec_id != spec.id) {
    return InvalidArgumentError(overlay.file.path + ": overlay is for spec '" + overlay.spec_id +
                                "', not '" + spec.id + "'");
  }
  for (const ThresholdChange& change : overlay.thresholds) {
    Requirement* requirement = nullptr;
    for (Requirement& r : spec.requirements) {
      if (r.id == change.requirement_id) requirement = &r;
    }
    if (requirement == nullptr) {
      return ErrorAt(change.location, "unknown requirement '" + change.requirement_id + "'");
    }
    if (change.profile != kAllProfiles && !spec.profiles.contains(change.profile)) {
      return ErrorAt(change.location, "unknown profile '" + change.profile + "'");
    }
    const ThresholdEntry* current = requirement->threshold.For(change.profile);
    if (current == nullptr) {
      return ErrorAt(change.location, "requirement '" + requirement->id +
                                          "' has no threshold for profile '" + change.profile +
                                          "'; an overlay cannot add requirements to a profile");
    }
    DocNode scalar;
    scalar.type = DocNode::Type::kScalar;
    scalar.scalar = std::get<std::string>(change.value);
    scalar.location = change.location;
    LEPTON_ASSIGN_OR_RETURN(Value value, ReadLike(scalar, current->value, "threshold"));
    LEPTON_ASSIGN_OR_RETURN(bool stricter,
                            IsAtLeastAsStrict(requirement->threshold.op, current->value, value));
    if (!stricter) {
      return ErrorAt(change.location,
                     "loosens the " + std::string(LevelName(requirement->level)) +
                         " threshold of " + requirement->id + " for profile " + change.profile +
                         " (" + std::string(ComparisonSymbol(requirement->threshold.op)) + " " +
                         ValueToString(current->value) + " -> " + ValueToString(value) +
                         "); an overlay may only tighten thresholds");
    }
    requirement->threshold.by_profile[change.profile] = ThresholdEntry{value, change.location};
  }
  return OkStatus();
}

}  // namespace lepton::spec
