#pragma once
// `lepton-cert compare BASELINE.json CANDIDATE.json`: CI baseline gating (reports/compare.h).
// Exit 0 without a regression, 1 with one, 2 when a report cannot be read.

#include <filesystem>
#include <optional>
#include <string>

#include "reports/compare.h"

namespace lepton::cli {

struct CompareCommand {
  std::filesystem::path baseline;
  std::filesystem::path candidate;
  reports::CompareOptions options;
  std::string format = "text";  // text | md
  std::optional<std::filesystem::path> junit;
};

int CompareReportFiles(const CompareCommand& command);

// "5%" or "0.05" -> 0.05; InvalidArgument otherwise.
Result<double> ParseFraction(const std::string& text);

}  // namespace lepton::cli
