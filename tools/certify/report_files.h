#pragma once
// A run's report as files: report.json (signed when a key is given) and its HTML, Markdown and
// JUnit renderings, each written atomically.

#include <filesystem>
#include <optional>
#include <string>

#include "conformance/core/status.h"
#include "reports/report_model.h"
#include "reports/signing.h"

namespace lepton::certify {

// The rendering of the report at `json_path` in `format` ("html", "md" or "junit").
Result<std::string> RenderReportFile(const std::filesystem::path& json_path,
                                     const std::string& format);

// Writes `dir`/report.json and its renderings; returns report.json's path. The renderings are
// made from the JSON as written, like any later `lepton-cert report render`. Errors say which
// file: "cannot write the report: ...", "cannot write report.md: ...".
Result<std::filesystem::path> WriteReportFiles(const reports::CertificationReport& report,
                                               const std::optional<reports::KeyPair>& signing_keys,
                                               const std::filesystem::path& dir);

}  // namespace lepton::certify
