// Fuzzes the reference executor as a node test runs it: a bundle (fuzz_input.h) of model.onnx
// and then the input tensors, one per graph input in order; the seeds are the committed node tests.
// Limits are smaller than the defaults so one input cannot spend seconds on one huge tensor; the
// limit checks themselves are the same code.

#include <cstdint>
#include <map>
#include <vector>

#include "conformance/onnx/executor.h"
#include "conformance/onnx/onnx_model.h"
#include "tools/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::vector<lepton::fuzz::BundleFile> bundle =
      lepton::fuzz::SplitBundle(lepton::fuzz::AsText(data, size), "model.onnx");
  lepton::onnx::ModelLimits model_limits;
  model_limits.max_tensor_elements = 1 << 16;
  auto graph = lepton::onnx::ParseModel(bundle.front().bytes, "model.onnx", model_limits);
  if (!graph) return 0;
  const std::vector<std::string> input_names = graph->inputs;
  lepton::onnx::ExecutorLimits executor_limits;
  executor_limits.max_tensor_elements = 1 << 20;
  executor_limits.max_multiply_adds = std::int64_t{1} << 24;
  auto executor = lepton::onnx::Executor::Create(std::move(*graph), executor_limits);
  if (!executor) return 0;
  std::map<std::string, lepton::onnx::Tensor> feed;
  for (std::size_t i = 0; i < input_names.size() && i + 1 < bundle.size(); ++i) {
    auto tensor = lepton::onnx::ParseTensor(bundle[i + 1].bytes, bundle[i + 1].name, model_limits);
    if (!tensor) return 0;
    feed[input_names[i]] = std::move(*tensor);
  }
  (void)executor->Run(feed);
  return 0;
}
