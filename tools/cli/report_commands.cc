#include "tools/cli/report_commands.h"

#include <fmt/core.h>

#include "conformance/core/atomic_file.h"
#include "tools/certify/report_files.h"
#include "tools/cli/exit_codes.h"

namespace lepton::cli {

int RenderReport(const std::filesystem::path& json_path, const std::string& format,
                 const std::optional<std::filesystem::path>& output) {
  auto rendered = certify::RenderReportFile(json_path, format);
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
