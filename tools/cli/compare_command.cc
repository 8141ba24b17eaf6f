#include "tools/cli/compare_command.h"

#include <fmt/core.h>

#include <charconv>

#include "conformance/core/atomic_file.h"
#include "conformance/core/read_file.h"
#include "reports/compare_render.h"
#include "tools/cli/exit_codes.h"

namespace lepton::cli {

Result<double> ParseFraction(const std::string& text) {
  std::string_view digits = text;
  const bool percent = digits.ends_with('%');
  if (percent) digits.remove_suffix(1);
  double value = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error != std::errc() || end != digits.data() + digits.size() || digits.empty()) {
    return std::unexpected(
        InvalidArgumentError("'" + text + "': expected a fraction (0.05) or a percentage (5%)"));
  }
  return percent ? value / 100 : value;
}

int CompareReportFiles(const CompareCommand& command) {
  const auto fail = [](const Status& status) {
    fmt::print(stderr, "lepton-cert: error: {}\n", status.message());
    return kExitUsageError;
  };
  auto baseline = ReadFileCapped(command.baseline, kMaxReportFileBytes);
  if (!baseline) return fail(baseline.error());
  auto candidate = ReadFileCapped(command.candidate, kMaxReportFileBytes);
  if (!candidate) return fail(candidate.error());
  auto comparison = reports::CompareReports(*baseline, command.baseline.string(), *candidate,
                                            command.candidate.string(), command.options);
  if (!comparison) return fail(comparison.error());
  fmt::print("{}", command.format == "md" ? reports::RenderComparisonMarkdown(*comparison)
                                          : reports::RenderComparisonText(*comparison));
  if (command.junit) {
    if (Status written =
            WriteFileAtomically(*command.junit, reports::RenderComparisonJUnit(*comparison));
        !written.ok()) {
      return fail(written);
    }
  }
  return comparison->regressions > 0 ? kExitNotCertified : kExitCertified;
}

}  // namespace lepton::cli
