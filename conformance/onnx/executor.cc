#include "conformance/onnx/executor.h"

#include "conformance/onnx/ops.h"

namespace lepton::onnx {

Result<Executor> Executor::Create(Graph graph) {
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
  return Executor(std::move(graph));
}

Result<std::map<std::string, Tensor>> Executor::Run(
    const std::map<std::string, Tensor>& inputs) const {
  std::map<std::string, Tensor> values = graph_.initializers;
  for (const std::string& name : graph_.inputs) {
    auto it = inputs.find(name);
    if (it == inputs.end()) {
      return std::unexpected(InvalidArgumentError("graph input '" + name + "' not given"));
    }
    values[name] = it->second;
  }
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
                            FindOp(node.op_type)(node, operands, graph_.opset));
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
