#include "conformance/onnx/node_tests.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "conformance/core/read_file.h"
#include "conformance/onnx/executor.h"

namespace lepton::onnx {
namespace {

namespace fs = std::filesystem;

constexpr double kRelativeTolerance = 1e-3;
constexpr double kAbsoluteTolerance = 1e-7;

// A model or tensor file larger than a model may be is refused before it is read.
Result<std::string> ReadBytes(const fs::path& path) {
  return ReadFileCapped(path, ModelLimits{}.max_bytes);
}

// The entries PREFIX<N> (directories) or PREFIX<N>.pb (files), ordered by N so input_10 comes
// after input_9. Other names (input_x.pb, input_0.pb.orig) are not part of the layout and are
// left alone, as the ONNX runner leaves them.
std::vector<fs::path> Sorted(const fs::path& dir, const std::string& prefix, bool directories) {
  std::vector<std::pair<long, fs::path>> found;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(dir, error)) {
    // The view must not outlive the name: filename() returns a temporary.
    const std::string file_name = entry.path().filename().string();
    std::string_view name = file_name;
    std::error_code kind_error;
    if (!name.starts_with(prefix) || entry.is_directory(kind_error) != directories) continue;
    name.remove_prefix(prefix.size());
    if (!directories) {
      if (!name.ends_with(".pb")) continue;
      name.remove_suffix(3);
    }
    long number = 0;
    const auto [end, parsed] = std::from_chars(name.data(), name.data() + name.size(), number);
    if (name.empty() || parsed != std::errc() || end != name.data() + name.size()) continue;
    found.emplace_back(number, entry.path());
  }
  std::sort(found.begin(), found.end());
  std::vector<fs::path> paths;
  paths.reserve(found.size());
  for (auto& [number, path] : found) paths.push_back(std::move(path));
  return paths;
}

// Empty when equal within tolerance; otherwise what differs.
std::string Compare(const Tensor& got, const Tensor& want) {
  if (got.type != want.type) return "element type differs";
  if (got.shape != want.shape) {
    return "shape " + got.ShapeString() + ", expected " + want.ShapeString();
  }
  if (want.type == Tensor::Type::kInt64) {
    for (std::size_t i = 0; i < want.ints.size(); ++i) {
      if (got.ints[i] != want.ints[i]) {
        return "element " + std::to_string(i) + " is " + std::to_string(got.ints[i]) +
               ", expected " + std::to_string(want.ints[i]);
      }
    }
    return "";
  }
  for (std::size_t i = 0; i < want.floats.size(); ++i) {
    const double g = got.floats[i];
    const double w = want.floats[i];
    if (std::isnan(g) && std::isnan(w)) continue;
    if (!(std::abs(g - w) <= kAbsoluteTolerance + kRelativeTolerance * std::abs(w))) {
      return "element " + std::to_string(i) + " is " + std::to_string(g) + ", expected " +
             std::to_string(w);
    }
  }
  return "";
}

}  // namespace

NodeTestResult RunNodeTest(const fs::path& dir) {
  NodeTestResult result;
  result.name = dir.filename().string();
  const auto fail = [&](NodeTestOutcome outcome, std::string detail) {
    result.outcome = outcome;
    result.detail = std::move(detail);
    return result;
  };
  auto bytes = ReadBytes(dir / "model.onnx");
  if (!bytes) return fail(NodeTestOutcome::kFailed, bytes.error().message());
  auto graph = ParseModel(*bytes, (dir / "model.onnx").string());
  if (!graph) {
    return fail(graph.error().code() == StatusCode::kUnavailable ? NodeTestOutcome::kUnsupported
                                                                 : NodeTestOutcome::kFailed,
                graph.error().message());
  }
  const std::vector<std::string> input_names = graph->inputs;
  const std::vector<std::string> output_names = graph->outputs;
  auto executor = Executor::Create(std::move(*graph));
  if (!executor) return fail(NodeTestOutcome::kUnsupported, executor.error().message());
  const std::vector<fs::path> data_sets = Sorted(dir, "test_data_set_", true);
  if (data_sets.empty()) return fail(NodeTestOutcome::kFailed, "no test_data_set_N directory");
  for (const fs::path& data_set : data_sets) {
    const auto inputs = Sorted(data_set, "input_", false);
    const auto outputs = Sorted(data_set, "output_", false);
    if (inputs.size() != input_names.size() || outputs.size() != output_names.size()) {
      return fail(NodeTestOutcome::kFailed,
                  data_set.filename().string() + ": " + std::to_string(inputs.size()) +
                      " inputs and " + std::to_string(outputs.size()) +
                      " outputs for a graph with " + std::to_string(input_names.size()) + " and " +
                      std::to_string(output_names.size()));
    }
    std::map<std::string, Tensor> feed;
    // i indexes two parallel lists: the files and the graph's input names.
    for (std::size_t i = 0; i < inputs.size(); ++i) {  // NOLINT(modernize-loop-convert)
      auto tensor_bytes = ReadBytes(inputs[i]);
      if (!tensor_bytes) return fail(NodeTestOutcome::kFailed, tensor_bytes.error().message());
      auto tensor = ParseTensor(*tensor_bytes, inputs[i].string());
      if (!tensor) {
        return fail(tensor.error().code() == StatusCode::kUnavailable
                        ? NodeTestOutcome::kUnsupported
                        : NodeTestOutcome::kFailed,
                    tensor.error().message());
      }
      feed[input_names[i]] = std::move(*tensor);
    }
    auto produced = executor->Run(feed);
    if (!produced) return fail(NodeTestOutcome::kFailed, produced.error().message());
    for (std::size_t i = 0; i < outputs.size(); ++i) {
      auto tensor_bytes = ReadBytes(outputs[i]);
      if (!tensor_bytes) return fail(NodeTestOutcome::kFailed, tensor_bytes.error().message());
      auto expected = ParseTensor(*tensor_bytes, outputs[i].string());
      if (!expected) return fail(NodeTestOutcome::kFailed, expected.error().message());
      const std::string difference = Compare(produced->at(output_names[i]), *expected);
      if (!difference.empty()) {
        return fail(NodeTestOutcome::kFailed, data_set.filename().string() + " output '" +
                                                  output_names[i] + "': " + difference);
      }
    }
    ++result.data_sets;
  }
  result.outcome = NodeTestOutcome::kPassed;
  return result;
}

std::vector<NodeTestResult> RunNodeTests(const std::vector<fs::path>& paths) {
  std::vector<NodeTestResult> results;
  for (const fs::path& path : paths) {
    std::error_code error;
    if (fs::exists(path / "model.onnx", error)) {
      results.push_back(RunNodeTest(path));
      continue;
    }
    std::vector<fs::path> tests;
    for (const auto& entry : fs::directory_iterator(path, error)) {
      if (entry.is_directory() && fs::exists(entry.path() / "model.onnx"))
        tests.push_back(entry.path());
    }
    if (error || tests.empty()) {
      NodeTestResult missing;
      missing.name = path.string();
      missing.detail = "not a node test directory (no model.onnx) nor a directory of them";
      results.push_back(missing);
      continue;
    }
    std::sort(tests.begin(), tests.end());
    for (const fs::path& test : tests) results.push_back(RunNodeTest(test));
  }
  return results;
}

}  // namespace lepton::onnx
