#pragma once
// The reference ONNX executor: runs a parsed graph node by node in file order (ONNX requires a
// topological order) with the operators of ops.h. A graph with an operator it does not implement
// is refused at Create, naming the operator, instead of failing half-way.

#include <map>
#include <string>

#include "conformance/core/status.h"
#include "conformance/onnx/onnx_model.h"

namespace lepton::onnx {

class Executor {
 public:
  // Unavailable when an operator (or a non-default domain) is not implemented.
  static Result<Executor> Create(Graph graph);

  // Runs on `inputs` (by graph input name); returns the graph outputs by name.
  [[nodiscard]] Result<std::map<std::string, Tensor>> Run(
      const std::map<std::string, Tensor>& inputs) const;

  [[nodiscard]] const Graph& graph() const { return graph_; }

 private:
  explicit Executor(Graph graph) : graph_(std::move(graph)) {}
  Graph graph_;
};

}  // namespace lepton::onnx
