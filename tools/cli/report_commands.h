#pragma once
// `lepton-cert report render REPORT.json --format md|junit [-o FILE]`.

#include <filesystem>
#include <optional>
#include <string>

namespace lepton::cli {

int RenderReport(const std::filesystem::path& json_path, const std::string& format,
                 const std::optional<std::filesystem::path>& output);

}  // namespace lepton::cli
