#pragma once
// The units a requirement or metric may carry. A unit fixes how values compare: numbers
// numerically, versions component-wise ("12.4" < "12.10"), booleans and text (digests) only
// for equality.

#include <optional>
#include <span>
#include <string_view>

namespace lepton {

enum class ValueKind { kNumber, kVersion, kBool, kText };

struct UnitInfo {
  std::string_view name;
  ValueKind kind;
  std::string_view meaning;
};

std::span<const UnitInfo> KnownUnits();
std::optional<UnitInfo> FindUnit(std::string_view name);
std::string_view ValueKindName(ValueKind kind);

}  // namespace lepton
