#pragma once
// Limits on a report read from outside, checked before nlohmann::json sees it: its copy, dump and
// comparison recurse once per nesting level, so a report of a few hundred kilobytes of "[[[[..."
// would overflow the stack (found while fuzzing the verifier). Real reports are a few levels
// deep and far smaller than the limit.

#include <cstddef>
#include <string_view>

#include "conformance/core/status.h"

namespace lepton::reports {

inline constexpr std::size_t kMaxReportBytes = std::size_t{64} << 20;
inline constexpr int kMaxReportDepth = 64;

// ResourceExhausted naming `name`, the limit, and for depth the byte offset where it is exceeded.
Status CheckJsonLimits(std::string_view json, std::string_view name);

}  // namespace lepton::reports
