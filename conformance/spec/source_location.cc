#include "conformance/spec/source_location.h"

namespace lepton::spec {

std::string SourceLocation::ToString() const {
  if (line <= 0) return file;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

Status ErrorAt(const SourceLocation& location, const std::string& message) {
  return InvalidArgumentError(location.ToString() + ": " + message);
}

}  // namespace lepton::spec
