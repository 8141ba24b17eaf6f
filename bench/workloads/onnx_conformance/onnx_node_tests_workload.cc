#include "bench/workloads/onnx_conformance/onnx_node_tests_workload.h"

#include "conformance/core/data_roots.h"
#include "conformance/onnx/node_tests.h"

namespace lepton::bench {
namespace {

// Suites the tool knows, found under a data root (the repository root in a checkout, the
// bundle's share/lepton-cert) unless `--data SUITE=DIR` names another place.
constexpr std::string_view kDefaultSuiteRoot = "conformance/onnx/testdata";

class OnnxNodeTestsWorkload final : public Workload {
 public:
  Status Prepare(const WorkloadContext& context) override {
    LEPTON_ASSIGN_OR_RETURN(const std::string suite,
                            GetParam<std::string>(context.params, "suite"));
    if (auto given = context.dataset_dirs.find(suite); given != context.dataset_dirs.end()) {
      dir_ = given->second;
    } else {
      const std::filesystem::path relative = std::filesystem::path(kDefaultSuiteRoot) / suite;
      dir_ = FindUnderDataRoots(relative).value_or(std::filesystem::current_path() / relative);
    }
    std::error_code error;
    if (!std::filesystem::is_directory(dir_, error)) {
      return UnavailableError("ONNX node test suite '" + suite + "' not found at " + dir_.string() +
                              " (run from the repository root, use the bundle, or pass --data " +
                              suite + "=DIR)");
    }
    return OkStatus();
  }

  [[nodiscard]] std::vector<std::string> StepNames() const override { return {"node_tests"}; }
  Status BeginRun(int /*run_index*/) override {
    results_.clear();
    return OkStatus();
  }
  Status RunStep(std::size_t /*step*/) override {
    results_ = onnx::RunNodeTests({dir_});
    return OkStatus();
  }

  Result<Metrics> FinishRun(std::span<const double> /*step_seconds*/) override {
    double passed = 0;
    double failed = 0;
    double unsupported = 0;
    for (const onnx::NodeTestResult& result : results_) {
      if (result.outcome == onnx::NodeTestOutcome::kPassed) ++passed;
      if (result.outcome == onnx::NodeTestOutcome::kFailed) ++failed;
      if (result.outcome == onnx::NodeTestOutcome::kUnsupported) ++unsupported;
    }
    Metrics metrics;
    metrics.values["node_tests_total"] = static_cast<double>(results_.size());
    metrics.values["node_tests_passed"] = passed;
    metrics.values["node_tests_failed"] = failed;
    metrics.values["node_tests_unsupported"] = unsupported;
    return metrics;
  }

 private:
  std::filesystem::path dir_;
  std::vector<onnx::NodeTestResult> results_;
};

}  // namespace

std::unique_ptr<Workload> MakeOnnxNodeTestsWorkload() {
  return std::make_unique<OnnxNodeTestsWorkload>();
}

}  // namespace lepton::bench
