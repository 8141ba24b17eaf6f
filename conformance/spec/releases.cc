#include "conformance/spec/releases.h"

#include <algorithm>
#include <cctype>
#include <sstream>

#include "conformance/core/version.h"

namespace lepton::spec {

Result<Releases> ParseReleases(std::string_view text, std::string_view name) {
  Releases releases;
  std::istringstream lines{std::string(text)};
  std::string line;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    const std::string where = std::string(name) + ":" + std::to_string(number) + ": ";
    if (line.find_first_not_of(" \t\r") == std::string::npos || line.front() == '#') continue;
    std::istringstream fields(line);
    std::string version;
    std::string digest;
    std::string extra;
    fields >> version >> digest >> extra;
    const bool hex = digest.size() == 64 && std::all_of(digest.begin(), digest.end(), [](char c) {
                       return std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f');
                     });
    const bool semantic =
        std::count(version.begin(), version.end(), '.') == 2 && Version::Parse(version);
    if (!semantic || !hex || !extra.empty()) {
      return std::unexpected(InvalidArgumentError(
          where + "expected 'VERSION SHA256' (MAJOR.MINOR.PATCH and 64 lower-case hex digits)"));
    }
    if (!releases.emplace(version, digest).second) {
      std::string message = where;
      message += "version " + version + " listed twice";
      return std::unexpected(InvalidArgumentError(message));
    }
  }
  return releases;
}

}  // namespace lepton::spec
