#include "tools/certify/report_files.h"

#include <utility>

#include "conformance/core/atomic_file.h"
#include "conformance/core/read_file.h"
#include "reports/html_renderer.h"
#include "reports/json_report.h"
#include "reports/junit_renderer.h"
#include "reports/markdown_renderer.h"
#include "reports/report_verify.h"
#include "reports/report_view.h"

namespace lepton::certify {

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

Result<std::filesystem::path> WriteReportFiles(const reports::CertificationReport& report,
                                               const std::optional<reports::KeyPair>& signing_keys,
                                               const std::filesystem::path& dir) {
  const std::filesystem::path report_path = dir / "report.json";
  std::string json = reports::ReportToJson(report);
  if (signing_keys) {
    auto signed_json =
        reports::SignReport(json, signing_keys->secret_hex, signing_keys->public_hex);
    if (!signed_json) {
      return std::unexpected(signed_json.error().WithContext("cannot sign the report"));
    }
    json = std::move(*signed_json);
  }
  if (Status written = WriteFileAtomically(report_path, json); !written.ok()) {
    return std::unexpected(written.WithContext("cannot write the report"));
  }
  for (const auto& [format, file] :
       {std::pair<std::string, std::string>{"html", "report.html"},
        std::pair<std::string, std::string>{"md", "report.md"},
        std::pair<std::string, std::string>{"junit", "report.junit.xml"}}) {
    auto rendered = RenderReportFile(report_path, format);
    Status written = rendered ? WriteFileAtomically(dir / file, *rendered) : rendered.error();
    if (!written.ok()) return std::unexpected(written.WithContext("cannot write " + file));
  }
  return report_path;
}

}  // namespace lepton::certify
