#include "conformance/onnx/executor.h"

#include "conformance/onnx/ops.h"

namespace lepton::onnx {
namespace {

// The operators index data by shape, so a tensor from outside (an input or an initializer) must
// hold exactly as many values as its shape says, and stay within the limits.
Status CheckTensor(const std::string& name, const Tensor& tensor, const ExecutorLimits& limits) {
  const auto count = BoundedElementCount(tensor.shape, limits.max_tensor_elements);
  if (!count) {
    return ResourceExhaustedError("tensor '" + name + "' of shape " + tensor.ShapeString() +
                                  " has a negative dimension or more than " +
                                  std::to_string(limits.max_tensor_elements) + " elements");
  }
  const std::size_t values =
      tensor.type == Tensor::Type::kFloat ? tensor.floats.size() : tensor.ints.size();
  if (values != static_cast<std::size_t>(*count)) {
    return InvalidArgumentError("tensor '" + name + "' holds " + std::to_string(values) +
                                " values for shape " + tensor.ShapeString());
  }
  return OkStatus();
}

}  // namespace

Result<Executor> Executor::Create(Graph graph, const ExecutorLimits& limits) {
  for (const Node& node : graph.nodes) {
    if (!node.domain.empty() && node.domain != "ai.onnx") {
      return std::unexpected(UnavailableError("node '" + node.name + "': domain '" + node.domain +
                                              "' is not supported"));
    }
    if (FindOp(node.op_type) == nullptr) {
      return std::unexpected(UnavailableError("operator " + node.op_type + " (node '" + node.name +
                                              "') is not implemented"));
    }
  }
  return Executor(std::move(graph), limits);
}

Result<std::map<std::string, Tensor>> Executor::Run(
    const std::map<std::string, Tensor>& inputs) const {
  std::map<std::string, Tensor> values = graph_.initializers;
  for (const auto& [name, tensor] : values)
    LEPTON_RETURN_IF_ERROR(CheckTensor(name, tensor, limits_));
  for (const std::string& name : graph_.inputs) {
    auto it = inputs.find(name);
    if (it == inputs.end()) {
      return std::unexpected(InvalidArgumentError("graph input '" + name + "' not given"));
    }
    LEPTON_RETURN_IF_ERROR(CheckTensor(name, it->second, limits_));
    values[name] = it->second;
  }
  const OpContext context{graph_.opset, limits_};
  for (const Node& node : graph_.nodes) {
    std::vector<const Tensor*> operands;
    for (const std::string& name : node.inputs) {
      if (name.empty()) {
        operands.push_back(nullptr);
        continue;
      }
      auto it = values.find(name);
      if (it == values.end()) {
        return std::unexpected(InvalidArgumentError(node.op_type + " node '" + node.name +
                                                    "': input '" + name +
                                                    "' is not produced before it"));
      }
      operands.push_back(&it->second);
    }
    LEPTON_ASSIGN_OR_RETURN(std::vector<Tensor> results,
                            FindOp(node.op_type)(node, operands, context));
    for (std::size_t i = 0; i < node.outputs.size() && i < results.size(); ++i) {
      if (!node.outputs[i].empty()) values[node.outputs[i]] = std::move(results[i]);
    }
  }
  std::map<std::string, Tensor> outputs;
  for (const std::string& name : graph_.outputs) {
    auto it = values.find(name);
    if (it == values.end()) {
      return std::unexpected(InvalidArgumentError("graph output '" + name + "' never produced"));
    }
    outputs[name] = it->second;
  }
  return outputs;
}

}  // namespace lepton::onnx
