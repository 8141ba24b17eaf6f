#pragma once
// `lepton-cert report render REPORT.json --format md|junit [-o FILE]`.

#include <filesystem>
#include <optional>
#include <string>

#include "conformance/core/status.h"

namespace lepton::cli {

// The rendering of the report at `json_path` in `format` ("md" or "junit").
Result<std::string> RenderReportFile(const std::filesystem::path& json_path,
                                     const std::string& format);

int RenderReport(const std::filesystem::path& json_path, const std::string& format,
                 const std::optional<std::filesystem::path>& output);

}  // namespace lepton::cli
