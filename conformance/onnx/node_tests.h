#pragma once
// Runs ONNX backend node tests in their standard layout: DIR/model.onnx and
// DIR/test_data_set_N/{input_K.pb, output_K.pb}. Float outputs are compared as ONNX's runner
// does (numpy.testing.assert_allclose with rtol 1e-3, atol 1e-7: |got - want| <= atol + rtol *
// |want|); int64 outputs must be equal; shapes must match exactly.

#include <filesystem>
#include <string>
#include <vector>

namespace lepton::onnx {

enum class NodeTestOutcome { kPassed, kFailed, kUnsupported };

struct NodeTestResult {
  std::string name;
  NodeTestOutcome outcome = NodeTestOutcome::kFailed;
  std::string detail;  // why it failed or is unsupported
  int data_sets = 0;
};

NodeTestResult RunNodeTest(const std::filesystem::path& dir);

// Each argument is a test directory or a directory of test directories (sorted by name).
std::vector<NodeTestResult> RunNodeTests(const std::vector<std::filesystem::path>& paths);

}  // namespace lepton::onnx
