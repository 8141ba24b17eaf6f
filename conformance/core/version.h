#pragma once
// Dotted version numbers ("12.4", "2.28.3", "3.11.0") compared component-wise; missing trailing
// components count as zero, so "12" == "12.0".

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/core/status.h"

namespace lepton {

class Version {
 public:
  static Result<Version> Parse(std::string_view text);

  [[nodiscard]] const std::string& text() const { return text_; }
  friend std::strong_ordering operator<=>(const Version& a, const Version& b);
  friend bool operator==(const Version& a, const Version& b) {
    return (a <=> b) == std::strong_ordering::equal;
  }

 private:
  std::string text_;
  std::vector<std::int64_t> parts_;
};

}  // namespace lepton
