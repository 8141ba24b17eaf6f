#pragma once
// Text made safe for HTML and XML content and attributes: &, <, >, " and ' as entities, and the
// control characters XML 1.0 cannot hold dropped (tab and newline kept).

#include <string>
#include <string_view>

namespace lepton::reports {

std::string EscapeMarkup(std::string_view text);

}  // namespace lepton::reports
