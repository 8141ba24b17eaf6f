#include "tools/cli/report_commands.h"

#include <fmt/core.h>

#include "conformance/core/atomic_file.h"
#include "conformance/core/read_file.h"
#include "reports/html_renderer.h"
#include "reports/junit_renderer.h"
#include "reports/markdown_renderer.h"
#include "reports/report_view.h"
#include "tools/cli/exit_codes.h"

namespace lepton::cli {

Result<std::string> RenderReportFile(const std::filesystem::path& json_path,
                                     const std::string& format) {
  LEPTON_ASSIGN_OR_RETURN(const std::string bytes, ReadFileCapped(json_path, kMaxReportFileBytes));
  LEPTON_ASSIGN_OR_RETURN(const reports::ReportView view,
                          reports::ParseReportView(bytes, json_path.string()));
  if (format == "md") return reports::RenderMarkdown(view);
  if (format == "junit") return reports::RenderJUnit(view);
  if (format == "html") return reports::RenderHtml(view);
  return std::unexpected(
      InvalidArgumentError("--format " + format + ": expected html, md or junit"));
}

int RenderReport(const std::filesystem::path& json_path, const std::string& format,
                 const std::optional<std::filesystem::path>& output) {
  auto rendered = RenderReportFile(json_path, format);
  if (!rendered) {
    fmt::print(stderr, "lepton-cert: error: {}\n", rendered.error().message());
    return kExitUsageError;
  }
  if (!output) {
    fmt::print("{}", *rendered);
    return kExitCertified;
  }
  if (Status written = WriteFileAtomically(*output, *rendered); !written.ok()) {
    fmt::print(stderr, "lepton-cert: error: {}\n", written.message());
    return kExitUsageError;
  }
  return kExitCertified;
}

}  // namespace lepton::cli
