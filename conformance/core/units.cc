#include "conformance/core/units.h"

#include <array>

namespace lepton {
namespace {

constexpr std::array kUnits = {
    UnitInfo{"s", ValueKind::kNumber, "seconds"},
    UnitInfo{"ms", ValueKind::kNumber, "milliseconds"},
    UnitInfo{"us", ValueKind::kNumber, "microseconds"},
    UnitInfo{"ratio", ValueKind::kNumber, "dimensionless ratio (0.98 = 98%)"},
    UnitInfo{"points", ValueKind::kNumber, "percentage points (a ratio x 100: 0.3 = 0.3%)"},
    UnitInfo{"count", ValueKind::kNumber, "a whole number of things"},
    UnitInfo{"B", ValueKind::kNumber, "bytes"},
    UnitInfo{"GiB", ValueKind::kNumber, "gibibytes (2^30 bytes)"},
    UnitInfo{"GB/s", ValueKind::kNumber, "decimal gigabytes per second (10^9 B/s)"},
    UnitInfo{"GFLOP/s", ValueKind::kNumber, "10^9 floating-point operations per second"},
    UnitInfo{"rows/s", ValueKind::kNumber, "data rows processed per second"},
    UnitInfo{"samples/s", ValueKind::kNumber, "training or inference samples per second"},
    UnitInfo{"images/s", ValueKind::kNumber, "images per second"},
    UnitInfo{"J", ValueKind::kNumber, "joules"},
    UnitInfo{"J/sample", ValueKind::kNumber, "joules per sample"},
    UnitInfo{"samples/J", ValueKind::kNumber, "samples per joule"},
    UnitInfo{"W", ValueKind::kNumber, "watts"},
    UnitInfo{"MHz", ValueKind::kNumber, "megahertz"},
    UnitInfo{"loss", ValueKind::kNumber, "a loss value (mean squared error, cross-entropy)"},
    UnitInfo{"version", ValueKind::kVersion, "dotted version number compared component-wise"},
    UnitInfo{"scalar", ValueKind::kNumber, "a plain number in the data's own units"},
    UnitInfo{"bool", ValueKind::kBool, "true or false"},
    UnitInfo{"sha256", ValueKind::kText, "lower-case hex SHA-256 digest"},
    UnitInfo{"text", ValueKind::kText, "free text compared for equality"},
};

}  // namespace

std::span<const UnitInfo> KnownUnits() { return kUnits; }

std::optional<UnitInfo> FindUnit(std::string_view name) {
  for (const UnitInfo& unit : kUnits) {
    if (unit.name == name) return unit;
  }
  return std::nullopt;
}

std::string_view ValueKindName(ValueKind kind) {
  switch (kind) {
    case ValueKind::kNumber:
      return "number";
    case ValueKind::kVersion:
      return "version";
    case ValueKind::kBool:
      return "bool";
    case ValueKind::kText:
      return "text";
  }
  return "unknown";
}

}  // namespace lepton
