#pragma once
// The operators of the reference executor, float32 (ArgMax produces int64, Reshape reads an int64
// shape), with ONNX's semantics at opset 13-17 and numpy-style multidirectional broadcasting for
// the elementwise binary operators. Written for clarity, not speed: it is the reference.

#include <cstdint>
#include <string_view>
#include <vector>

#include "conformance/core/status.h"
#include "conformance/onnx/executor.h"
#include "conformance/onnx/onnx_model.h"
#include "conformance/onnx/tensor.h"

namespace lepton::onnx {

struct OpContext {
  std::int64_t opset = 0;  // of the default domain
  ExecutorLimits limits;
};

// `inputs[i]` is nullptr for an omitted optional input. Every input satisfies
// BoundedElementCount(shape, limits.max_tensor_elements) and holds that many values; so does
// every output (an operator refuses a larger one before allocating it).
using OpFunction = Result<std::vector<Tensor>> (*)(const Node& node,
                                                   const std::vector<const Tensor*>& inputs,
                                                   const OpContext& context);

// nullptr when the executor does not implement `op_type` (default domain only).
OpFunction FindOp(std::string_view op_type);
std::vector<std::string_view> SupportedOps();

// numpy broadcasting of two shapes; InvalidArgument when they do not broadcast.
Result<std::vector<std::int64_t>> BroadcastShapes(const std::vector<std::int64_t>& a,
                                                  const std::vector<std::int64_t>& b);

}  // namespace lepton::onnx
