#pragma once
// The reference ONNX executor: runs a parsed graph node by node in file order (ONNX requires a
// topological order) with the operators of ops.h. A graph with an operator it does not implement
// is refused at Create, naming the operator, instead of failing half-way.

#include <map>
#include <string>

#include "conformance/core/status.h"
#include "conformance/onnx/onnx_model.h"

namespace lepton::onnx {

// What one node may ask for; a node over a limit fails with ResourceExhausted before allocating.
struct ExecutorLimits {
  // Elements of any tensor: the product of its non-zero dimensions (2^28 floats are 1 GiB).
  std::int64_t max_tensor_elements = std::int64_t{1} << 28;
  // Multiply-adds of one Gemm or MatMul node (2^36: about a minute of the reference loops).
  std::int64_t max_multiply_adds = std::int64_t{1} << 36;
};

class Executor {
 public:
  // Unavailable when an operator (or a non-default domain) is not implemented.
  static Result<Executor> Create(Graph graph, const ExecutorLimits& limits = {});

  // Runs on `inputs` (by graph input name); returns the graph outputs by name.
  [[nodiscard]] Result<std::map<std::string, Tensor>> Run(
      const std::map<std::string, Tensor>& inputs) const;

  [[nodiscard]] const Graph& graph() const { return graph_; }

 private:
  Executor(Graph graph, const ExecutorLimits& limits) : graph_(std::move(graph)), limits_(limits) {}
  Graph graph_;
  ExecutorLimits limits_;
};

}  // namespace lepton::onnx
