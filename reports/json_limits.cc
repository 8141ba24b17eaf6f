#include "reports/json_limits.h"

#include <string>

namespace lepton::reports {

Status CheckJsonLimits(std::string_view json, std::string_view name) {
  if (json.size() > kMaxReportBytes) {
    return ResourceExhaustedError(std::string(name) + ": report is " + std::to_string(json.size()) +
                                  " bytes, more than the limit of " +
                                  std::to_string(kMaxReportBytes));
  }
  // Brackets inside strings do not nest; malformed JSON is the parser's to report.
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (std::size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxReportDepth) {
        return ResourceExhaustedError(std::string(name) + ": byte " + std::to_string(i) +
                                      ": JSON nested deeper than the limit of " +
                                      std::to_string(kMaxReportDepth) + " levels");
      }
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return OkStatus();
}

}  // namespace lepton::reports
