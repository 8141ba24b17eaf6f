#pragma once
// The one adapter over ONNX's protobuf classes and checker: models and tensors are parsed into
// the plain structs below (so the executor never sees protobuf), checked with
// onnx::checker::check_model plus strict shape inference, and the reference MLP is exported.

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/core/status.h"
#include "conformance/onnx/tensor.h"

namespace lepton::onnx {

struct Attribute {
  enum class Kind { kInt, kFloat, kInts, kString, kOther };
  Kind kind = Kind::kOther;
  std::int64_t i = 0;
  float f = 0;
  std::vector<std::int64_t> ints;
  std::string s;
};

struct Node {
  std::string op_type;
  std::string domain;
  std::string name;
  std::vector<std::string> inputs;  // "" marks an omitted optional input
  std::vector<std::string> outputs;
  std::map<std::string, Attribute> attributes;
};

struct Graph {
  std::int64_t ir_version = 0;
  std::int64_t opset = 0;           // of the default domain
  std::vector<std::string> inputs;  // graph inputs that are not initializers
  std::vector<std::string> outputs;
  std::map<std::string, Tensor> initializers;
  std::vector<Node> nodes;
};

// A model over a limit is refused with ResourceExhausted naming the limit (spec/README.md).
struct ModelLimits {
  std::size_t max_bytes = 256u << 20;  // the serialised model
  std::size_t max_nodes = 10000;       // nodes of the main graph
  // Product of a tensor's non-zero dimensions (2^28 float32 values are 1 GiB).
  std::int64_t max_tensor_elements = std::int64_t{1} << 28;
};

// Errors name `name` (a file) and the node or tensor at fault.
Result<Graph> ParseModel(std::string_view bytes, std::string_view name,
                         const ModelLimits& limits = {});
Result<Tensor> ParseTensor(std::string_view bytes, std::string_view name,
                           const ModelLimits& limits = {});

// onnx::checker::check_model and strict shape inference; InvalidArgument with ONNX's message.
// ResourceExhausted, before ONNX sees the model, when it is over the size or node limit.
Status CheckModel(std::string_view bytes, std::string_view name, const ModelLimits& limits = {});

struct MlpExport {
  int inputs = 0;
  int hidden = 0;
  int outputs = 0;
  std::span<const float> w1;  // inputs x hidden, row-major
  std::span<const float> b1;
  std::span<const float> w2;  // hidden x outputs, row-major
  std::span<const float> b2;
  std::string producer_version;
  std::string doc;
};

// input [batch, inputs] -> Gemm -> Relu -> Gemm -> "logits" [batch, outputs] -> Softmax ->
// "probabilities"; IR version 8, opset 17, so ONNX 1.12's checker accepts it.
Result<std::string> ExportMlp(const MlpExport& mlp);

}  // namespace lepton::onnx
