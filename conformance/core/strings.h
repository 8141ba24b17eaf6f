#pragma once
// Small text helpers shared by error messages.

#include <functional>
#include <string>
#include <string_view>

namespace lepton {

// "a, b, c": each element of `range`, mapped through `project` to something string-like.
template <typename Range, typename Projection = std::identity>
std::string JoinComma(const Range& range, Projection project = {}) {
  std::string out;
  for (const auto& item : range) {
    if (!out.empty()) out += ", ";
    out += std::string_view(std::invoke(project, item));
  }
  return out;
}

}  // namespace lepton
