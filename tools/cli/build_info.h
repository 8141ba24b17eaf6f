#pragma once
// The tool's version and the git commit it was built from (generated at build time).

#include <string_view>

namespace lepton::cli {

std::string_view ToolVersion();
std::string_view GitCommit();

}  // namespace lepton::cli
