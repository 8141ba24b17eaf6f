#pragma once
// `lepton-cert spec check`, `spec show` and `system`. Each returns the exit code.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace lepton::cli {

int CheckSpecs(const std::vector<std::filesystem::path>& paths);
int ShowSpec(const std::optional<std::filesystem::path>& path, const std::string& profile);
int ShowSystem();

}  // namespace lepton::cli
