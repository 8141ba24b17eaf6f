#include "tools/cli/onnx_commands.h"

#include <fmt/core.h>

#include "conformance/core/read_file.h"
#include "conformance/onnx/node_tests.h"
#include "conformance/onnx/onnx_model.h"
#include "tools/cli/exit_codes.h"

namespace lepton::cli {

int RunOnnxNodeTests(const std::vector<std::filesystem::path>& paths) {
  const auto results = onnx::RunNodeTests(paths);
  int passed = 0;
  int failed = 0;
  int unsupported = 0;
  for (const onnx::NodeTestResult& result : results) {
    switch (result.outcome) {
      case onnx::NodeTestOutcome::kPassed:
        ++passed;
        fmt::print("passed       {}\n", result.name);
        break;
      case onnx::NodeTestOutcome::kFailed:
        ++failed;
        fmt::print("FAILED       {}: {}\n", result.name, result.detail);
        break;
      case onnx::NodeTestOutcome::kUnsupported:
        ++unsupported;
        fmt::print("unsupported  {}: {}\n", result.name, result.detail);
        break;
    }
  }
  fmt::print("onnx node tests: {} passed, {} failed, {} unsupported\n", passed, failed,
             unsupported);
  return failed == 0 ? kExitCertified : kExitNotCertified;
}

int CheckOnnxModels(const std::vector<std::filesystem::path>& paths) {
  int exit_code = kExitCertified;
  for (const std::filesystem::path& path : paths) {
    // Read no more than the model limit CheckModel would refuse anyway.
    auto bytes = ReadFileCapped(path, onnx::ModelLimits{}.max_bytes);
    if (!bytes) {
      fmt::print(stderr, "error: {}\n", bytes.error().message());
      exit_code =
          bytes.error().code() == StatusCode::kNotFound ? kExitUsageError : kExitNotCertified;
      continue;
    }
    if (Status status = onnx::CheckModel(*bytes, path.string()); !status.ok()) {
      fmt::print(stderr, "{}\n", status.message());
      exit_code = kExitNotCertified;
      continue;
    }
    fmt::print("{}: OK: passes onnx::checker and strict shape inference\n", path.string());
  }
  return exit_code;
}

}  // namespace lepton::cli
