#include "conformance/core/version.h"

#include <charconv>

namespace lepton {

Result<Version> Version::Parse(std::string_view text) {
  Version version;
  version.text_ = std::string(text);
  if (text.empty()) return std::unexpected(InvalidArgumentError("empty version"));
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = text.find('.', start);
    const std::string_view part =
        text.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (part.empty() || error != std::errc() || end != part.data() + part.size() || value < 0) {
      return std::unexpected(
          InvalidArgumentError("'" + std::string(text) + "' is not a dotted version like 12.4.1"));
    }
    version.parts_.push_back(value);
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return version;
}

std::strong_ordering operator<=>(const Version& a, const Version& b) {
  const std::size_t n = std::max(a.parts_.size(), b.parts_.size());
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t x = i < a.parts_.size() ? a.parts_[i] : 0;
    const std::int64_t y = i < b.parts_.size() ? b.parts_[i] : 0;
    if (x != y) return x <=> y;
  }
  return std::strong_ordering::equal;
}

}  // namespace lepton
