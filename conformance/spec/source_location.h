#pragma once
// Where a value came from, so every error can name file:line:column.

#include <string>

#include "conformance/core/status.h"

namespace lepton::spec {

struct SourceLocation {
  std::string file;
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based; 0 when unknown

  // "file:line:column", or just "file" when the position is unknown.
  [[nodiscard]] std::string ToString() const;
};

// InvalidArgument "file:line:column: message".
Status ErrorAt(const SourceLocation& location, const std::string& message);

}  // namespace lepton::spec
