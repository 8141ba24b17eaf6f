#include "conformance/onnx/onnx_model.h"

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <bit>
#include <cstring>
#include <limits>

namespace lepton::onnx {
namespace {

static_assert(std::endian::native == std::endian::little, "raw_data is little-endian");

constexpr std::int64_t kFloatType = ::onnx::TensorProto::FLOAT;
constexpr std::int64_t kInt64Type = ::onnx::TensorProto::INT64;

Result<Tensor> FromProto(const ::onnx::TensorProto& proto, const std::string& where,
                         const ModelLimits& limits) {
  Tensor tensor;
  tensor.shape.assign(proto.dims().begin(), proto.dims().end());
  // Zero dimensions do not excuse the others: [0, 2^62, 2^62] would overflow any operator's
  // product of dimensions.
  const auto bounded = BoundedElementCount(tensor.shape, limits.max_tensor_elements);
  if (!bounded) {
    return std::unexpected(ResourceExhaustedError(
        where + ": tensor '" + proto.name() + "' of shape " + tensor.ShapeString() +
        " has a negative dimension or more than the limit of " +
        std::to_string(limits.max_tensor_elements) + " elements"));
  }
  const std::int64_t count = *bounded;
  const auto need = [&](std::size_t have) -> Status {
    if (have == static_cast<std::size_t>(count)) return OkStatus();
    return InvalidArgumentError(where + ": tensor '" + proto.name() + "' holds " +
                                std::to_string(have) + " values for shape " + tensor.ShapeString());
  };
  if (proto.has_data_location() && proto.data_location() == ::onnx::TensorProto::EXTERNAL) {
    return std::unexpected(UnavailableError(where + ": tensor '" + proto.name() +
                                            "' uses external data, which is not supported"));
  }
  if (proto.data_type() == kFloatType) {
    tensor.type = Tensor::Type::kFloat;
    if (!proto.raw_data().empty()) {
      const std::string& raw = proto.raw_data();
      if (raw.size() % sizeof(float) != 0) {
        return std::unexpected(InvalidArgumentError(where + ": tensor '" + proto.name() +
                                                    "' raw_data is not a whole number of floats"));
      }
      LEPTON_RETURN_IF_ERROR(need(raw.size() / sizeof(float)));
      tensor.floats.resize(raw.size() / sizeof(float));
      std::memcpy(tensor.floats.data(), raw.data(), raw.size());
    } else {
      LEPTON_RETURN_IF_ERROR(need(static_cast<std::size_t>(proto.float_data_size())));
      tensor.floats.assign(proto.float_data().begin(), proto.float_data().end());
    }
    return tensor;
  }
  if (proto.data_type() == kInt64Type) {
    tensor.type = Tensor::Type::kInt64;
    if (!proto.raw_data().empty()) {
      const std::string& raw = proto.raw_data();
      if (raw.size() % sizeof(std::int64_t) != 0) {
        return std::unexpected(InvalidArgumentError(where + ": tensor '" + proto.name() +
                                                    "' raw_data is not a whole number of int64"));
      }
      LEPTON_RETURN_IF_ERROR(need(raw.size() / sizeof(std::int64_t)));
      tensor.ints.resize(raw.size() / sizeof(std::int64_t));
      std::memcpy(tensor.ints.data(), raw.data(), raw.size());
    } else {
      LEPTON_RETURN_IF_ERROR(need(static_cast<std::size_t>(proto.int64_data_size())));
      tensor.ints.assign(proto.int64_data().begin(), proto.int64_data().end());
    }
    return tensor;
  }
  return std::unexpected(UnavailableError(where + ": tensor '" + proto.name() + "' has data type " +
                                          std::to_string(proto.data_type()) +
                                          "; the reference executor supports float32 and int64"));
}

Attribute FromProto(const ::onnx::AttributeProto& proto) {
  Attribute attribute;
  switch (proto.type()) {
    case ::onnx::AttributeProto::INT:
      attribute.kind = Attribute::Kind::kInt;
      attribute.i = proto.i();
      break;
    case ::onnx::AttributeProto::FLOAT:
      attribute.kind = Attribute::Kind::kFloat;
      attribute.f = proto.f();
      break;
    case ::onnx::AttributeProto::INTS:
      attribute.kind = Attribute::Kind::kInts;
      attribute.ints.assign(proto.ints().begin(), proto.ints().end());
      break;
    case ::onnx::AttributeProto::STRING:
      attribute.kind = Attribute::Kind::kString;
      attribute.s = proto.s();
      break;
    default:
      attribute.kind = Attribute::Kind::kOther;
      break;
  }
  return attribute;
}

Status CheckModelSize(std::string_view bytes, std::string_view name, const ModelLimits& limits) {
  if (bytes.size() <= limits.max_bytes) return OkStatus();
  return ResourceExhaustedError(std::string(name) + ": model is " + std::to_string(bytes.size()) +
                                " bytes, more than the limit of " +
                                std::to_string(limits.max_bytes));
}

Status CheckNodeCount(const ::onnx::GraphProto& graph, std::string_view name,
                      const ModelLimits& limits) {
  if (static_cast<std::size_t>(graph.node_size()) <= limits.max_nodes) return OkStatus();
  return ResourceExhaustedError(
      std::string(name) + ": graph has " + std::to_string(graph.node_size()) +
      " nodes, more than the limit of " + std::to_string(limits.max_nodes));
}

bool ParseBytes(::google::protobuf::MessageLite& message, std::string_view bytes) {
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) return false;
  return message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
}

}  // namespace

Result<Graph> ParseModel(std::string_view bytes, std::string_view name, const ModelLimits& limits) {
  const std::string where(name);
  LEPTON_RETURN_IF_ERROR(CheckModelSize(bytes, name, limits));
  ::onnx::ModelProto model;
  if (!ParseBytes(model, bytes)) {
    return std::unexpected(DataLossError(where + ": not a valid ONNX ModelProto"));
  }
  const ::onnx::GraphProto& proto = model.graph();
  LEPTON_RETURN_IF_ERROR(CheckNodeCount(proto, name, limits));
  Graph graph;
  graph.ir_version = model.ir_version();
  for (const auto& opset : model.opset_import()) {
    if (opset.domain().empty() || opset.domain() == "ai.onnx") graph.opset = opset.version();
  }
  for (const auto& initializer : proto.initializer()) {
    LEPTON_ASSIGN_OR_RETURN(Tensor tensor, FromProto(initializer, where, limits));
    graph.initializers[initializer.name()] = std::move(tensor);
  }
  for (const auto& input : proto.input()) {
    if (!graph.initializers.contains(input.name())) graph.inputs.push_back(input.name());
  }
  for (const auto& output : proto.output()) graph.outputs.push_back(output.name());
  for (const auto& node_proto : proto.node()) {
    Node node;
    node.op_type = node_proto.op_type();
    node.domain = node_proto.domain();
    node.name = node_proto.name();
    node.inputs.assign(node_proto.input().begin(), node_proto.input().end());
    node.outputs.assign(node_proto.output().begin(), node_proto.output().end());
    for (const auto& attribute : node_proto.attribute()) {
      node.attributes[attribute.name()] = FromProto(attribute);
    }
    graph.nodes.push_back(std::move(node));
  }
  return graph;
}

Result<Tensor> ParseTensor(std::string_view bytes, std::string_view name,
                           const ModelLimits& limits) {
  LEPTON_RETURN_IF_ERROR(CheckModelSize(bytes, name, limits));
  ::onnx::TensorProto proto;
  if (!ParseBytes(proto, bytes)) {
    return std::unexpected(DataLossError(std::string(name) + ": not a valid ONNX TensorProto"));
  }
  return FromProto(proto, std::string(name), limits);
}

Status CheckModel(std::string_view bytes, std::string_view name, const ModelLimits& limits) {
  // The same size and node limits as ParseModel, before ONNX's checker walks the graph.
  LEPTON_RETURN_IF_ERROR(CheckModelSize(bytes, name, limits));
  ::onnx::ModelProto model;
  if (!ParseBytes(model, bytes)) {
    return DataLossError(std::string(name) + ": not a valid ONNX ModelProto");
  }
  LEPTON_RETURN_IF_ERROR(CheckNodeCount(model.graph(), name, limits));
  try {
    ::onnx::checker::check_model(model);
    ::onnx::ShapeInferenceOptions options{/*check_type=*/true, /*error_mode=*/1,
                                          /*enable_data_propagation=*/false};
    ::onnx::shape_inference::InferShapes(model, ::onnx::OpSchemaRegistry::Instance(), options);
  } catch (const std::exception& error) {
    return InvalidArgumentError(std::string(name) + ": ONNX checker: " + error.what());
  }
  return OkStatus();
}

Result<std::string> ExportMlp(const MlpExport& mlp) {
  ::onnx::ModelProto model;
  model.set_ir_version(8);
  model.set_producer_name("lepton-cert");
  model.set_producer_version(mlp.producer_version);
  model.set_doc_string(mlp.doc);
  auto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(17);
  ::onnx::GraphProto* graph = model.mutable_graph();
  graph->set_name("lepton_reference_mlp");

  const auto add_tensor = [&](const std::string& tensor_name, const std::vector<std::int64_t>& dims,
                              std::span<const float> values) {
    ::onnx::TensorProto* tensor = graph->add_initializer();
    tensor->set_name(tensor_name);
    tensor->set_data_type(kFloatType);
    for (std::int64_t d : dims) tensor->add_dims(d);
    tensor->set_raw_data(
        std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float)));
  };
  add_tensor("W1", {mlp.inputs, mlp.hidden}, mlp.w1);
  add_tensor("b1", {mlp.hidden}, mlp.b1);
  add_tensor("W2", {mlp.hidden, mlp.outputs}, mlp.w2);
  add_tensor("b2", {mlp.outputs}, mlp.b2);

  const auto add_value = [](::onnx::ValueInfoProto* value, const std::string& value_name,
                            std::int64_t width) {
    value->set_name(value_name);
    auto* tensor_type = value->mutable_type()->mutable_tensor_type();
    tensor_type->set_elem_type(kFloatType);
    tensor_type->mutable_shape()->add_dim()->set_dim_param("batch");
    tensor_type->mutable_shape()->add_dim()->set_dim_value(width);
  };
  add_value(graph->add_input(), "input", mlp.inputs);
  add_value(graph->add_output(), "logits", mlp.outputs);
  add_value(graph->add_output(), "probabilities", mlp.outputs);

  const auto add_node = [&](const std::string& op, const std::vector<std::string>& inputs,
                            const std::string& output) {
    ::onnx::NodeProto* node = graph->add_node();
    node->set_op_type(op);
    node->set_name(output + "_" + op);
    for (const std::string& input : inputs) node->add_input(input);
    node->add_output(output);
    return node;
  };
  add_node("Gemm", {"input", "W1", "b1"}, "hidden_linear");
  add_node("Relu", {"hidden_linear"}, "hidden");
  add_node("Gemm", {"hidden", "W2", "b2"}, "logits");
  ::onnx::NodeProto* softmax = add_node("Softmax", {"logits"}, "probabilities");
  ::onnx::AttributeProto* axis = softmax->add_attribute();
  axis->set_name("axis");
  axis->set_type(::onnx::AttributeProto::INT);
  axis->set_i(1);

  std::string bytes;
  if (!model.SerializeToString(&bytes)) {
    return std::unexpected(InternalError("cannot serialise the ONNX model"));
  }
  return bytes;
}

}  // namespace lepton::onnx
