#include "conformance/onnx/ops.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <optional>
#include <string>

namespace lepton::onnx {
namespace {

using Shape = std::vector<std::int64_t>;
using Outputs = Result<std::vector<Tensor>>;

Status NodeError(const Node& node, const std::string& message) {
  return InvalidArgumentError(node.op_type + " node '" + node.name + "': " + message);
}

std::int64_t IntAttribute(const Node& node, const std::string& name, std::int64_t fallback) {
  auto it = node.attributes.find(name);
  return it == node.attributes.end() ? fallback : it->second.i;
}

float FloatAttribute(const Node& node, const std::string& name, float fallback) {
  auto it = node.attributes.find(name);
  return it == node.attributes.end() ? fallback : it->second.f;
}

Status RequireInputs(const Node& node, const std::vector<const Tensor*>& inputs, std::size_t min,
                     bool floats_only = true) {
  if (inputs.size() < min) return NodeError(node, "expects " + std::to_string(min) + " inputs");
  for (std::size_t i = 0; i < min; ++i) {
    if (inputs[i] == nullptr) return NodeError(node, "input " + std::to_string(i) + " missing");
    if (floats_only && inputs[i]->type != Tensor::Type::kFloat) {
      return NodeError(node, "input " + std::to_string(i) + " is not float32");
    }
  }
  return OkStatus();
}

Result<std::int64_t> NormalizeAxis(const Node& node, std::int64_t axis, std::int64_t rank,
                                   bool allow_rank = false) {
  const std::int64_t limit = allow_rank ? rank : rank - 1;
  if (axis < -rank || axis > limit) {
    return std::unexpected(NodeError(
        node, "axis " + std::to_string(axis) + " out of range for rank " + std::to_string(rank)));
  }
  return axis < 0 ? axis + rank : axis;
}

// The element count of an operator's output, refused before allocating when over the limit.
Result<std::int64_t> OutputElements(const Node& node, const Shape& shape,
                                    const OpContext& context) {
  const auto count = BoundedElementCount(shape, context.limits.max_tensor_elements);
  if (!count) {
    return std::unexpected(ResourceExhaustedError(
        node.op_type + " node '" + node.name + "': output shape " +
        Tensor{.shape = shape}.ShapeString() + " has more than the limit of " +
        std::to_string(context.limits.max_tensor_elements) + " elements"));
  }
  return *count;
}

// The loop trips of a [batch x] (m x k) by (k x n) product; empty dimensions count as 1 because
// the outer loops still run.
Status CheckMultiplyAdds(const Node& node, std::initializer_list<std::int64_t> dims,
                         const OpContext& context) {
  std::int64_t trips = 1;
  for (std::int64_t d : dims) {
    if (__builtin_mul_overflow(trips, std::max<std::int64_t>(d, 1), &trips) ||
        trips > context.limits.max_multiply_adds) {
      return ResourceExhaustedError(
          node.op_type + " node '" + node.name + "': more than the limit of " +
          std::to_string(context.limits.max_multiply_adds) + " multiply-adds");
    }
  }
  return OkStatus();
}

// Row-major strides of `shape`, with 0 where a dimension of size 1 is broadcast into `out`.
Shape BroadcastStrides(const Shape& shape, const Shape& out) {
  Shape strides(out.size(), 0);
  std::int64_t stride = 1;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    const std::size_t in_axis = shape.size() - 1 - i;
    const std::size_t out_axis = out.size() - 1 - i;
    strides[out_axis] = shape[in_axis] == 1 ? 0 : stride;
    stride *= shape[in_axis];
  }
  return strides;
}

// Visits every element of `out`, passing the offsets into two broadcast inputs.
template <typename Visit>
void ForEachBroadcast(const Shape& out, const Shape& a_strides, const Shape& b_strides,
                      Visit visit) {
  const std::int64_t count = ElementCount(out);
  Shape index(out.size(), 0);
  std::int64_t a = 0;
  std::int64_t b = 0;
  for (std::int64_t flat = 0; flat < count; ++flat) {
    visit(flat, a, b);
    for (std::size_t axis = out.size(); axis-- > 0;) {
      ++index[axis];
      a += a_strides[axis];
      b += b_strides[axis];
      if (index[axis] < out[axis]) break;
      a -= a_strides[axis] * out[axis];
      b -= b_strides[axis] * out[axis];
      index[axis] = 0;
    }
  }
}

Outputs Binary(const Node& node, const std::vector<const Tensor*>& inputs, const OpContext& context,
               const std::function<float(float, float)>& op) {
  LEPTON_RETURN_IF_ERROR(RequireInputs(node, inputs, 2));
  const Tensor& a = *inputs[0];
  const Tensor& b = *inputs[1];
  auto shape = BroadcastShapes(a.shape, b.shape);
  if (!shape) return std::unexpected(NodeError(node, shape.error().message()));
  LEPTON_ASSIGN_OR_RETURN(const std::int64_t count, OutputElements(node, *shape, context));
  Tensor out = Tensor::Float(*shape, std::vector<float>(static_cast<std::size_t>(count)));
  ForEachBroadcast(*shape, BroadcastStrides(a.shape, *shape), BroadcastStrides(b.shape, *shape),
                   [&](std::int64_t i, std::int64_t ia, std::int64_t ib) {
                     out.floats[i] = op(a.floats[ia], b.floats[ib]);
                   });
  return std::vector<Tensor>{std::move(out)};
}

Outputs Unary(const Node& node, const std::vector<const Tensor*>& inputs, float (*op)(float)) {
  LEPTON_RETURN_IF_ERROR(RequireInputs(node, inputs, 1));
  Tensor out = *inputs[0];
  for (float& value : out.floats) value = op(value);
  return std::vector<Tensor>{std::move(out)};
}

Outputs Add(const Node& n, const std::vector<const Tensor*>& in, const OpContext& context) {
  return Binary(n, in, context, std::plus<>());
}
Outputs Sub(const Node& n, const std::vector<const Tensor*>& in, const OpContext& context) {
  return Binary(n, in, context, std::minus<>());
}
Outputs Mul(const Node& n, const std::vector<const Tensor*>& in, const OpContext& context) {
  return Binary(n, in, context, std::multiplies<>());
}
Outputs Div(const Node& n, const std::vector<const Tensor*>& in, const OpContext& context) {
  return Binary(n, in, context, std::divides<>());
}
Outputs Relu(const Node& n, const std::vector<const Tensor*>& in, const OpContext& /*context*/) {
  return Unary(n, in, [](float x) { return x > 0.0F ? x : 0.0F; });
}
Outputs Sigmoid(const Node& n, const std::vector<const Tensor*>& in, const OpContext& /*context*/) {
  return Unary(n, in, [](float x) {
    return static_cast<float>(1.0 / (1.0 + std::exp(-static_cast<double>(x))));
  });
}
Outputs Tanh(const Node& n, const std::vector<const Tensor*>& in, const OpContext& /*context*/) {
  return Unary(n, in, [](float x) { return std::tanh(x); });
}
Outputs Identity(const Node& n, const std::vector<const Tensor*>& in,
                 const OpContext& /*context*/) {
  LEPTON_RETURN_IF_ERROR(RequireInputs(n, in, 1, false));
  return std::vector<Tensor>{*in[0]};
}

// Y = alpha * A' B' + beta * C, with C broadcast to [M, N].
Outputs Gemm(const Node& node, const std::vector<const Tensor*>& inputs, const OpContext& context) {
  LEPTON_RETURN_IF_ERROR(RequireInputs(node, inputs, 2));
  const Tensor& a = *inputs[0];
  const Tensor& b = *inputs[1];
  if (a.shape.size() != 2 || b.shape.size() != 2)
    return std::unexpected(NodeError(node, "A and B must be 2-D"));
  const bool trans_a = IntAttribute(node, "transA", 0) != 0;
  const bool trans_b = IntAttribute(node, "transB", 0) != 0;
  const float alpha = FloatAttribute(node, "alpha", 1.0F);
  const float beta = FloatAttribute(node, "beta", 1.0F);
  const std::int64_t m = trans_a ? a.shape[1] : a.shape[0];
  const std::int64_t k = trans_a ? a.shape[0] : a.shape[1];
  const std::int64_t kb = trans_b ? b.shape[1] : b.shape[0];
  const std::int64_t n = trans_b ? b.shape[0] : b.shape[1];
  if (k != kb) {
    return std::unexpected(NodeError(
        node, "inner dimensions " + std::to_string(k) + " and " + std::to_string(kb) + " differ"));
  }
  const bool has_c = inputs.size() > 2 && inputs[2] != nullptr && beta != 0.0F;
  if (has_c && inputs[2]->type != Tensor::Type::kFloat) {
    // An int64 C would be read as floats, past the end of its empty float data.
    return std::unexpected(NodeError(node, "input 2 (C) is not float32"));
  }
  LEPTON_ASSIGN_OR_RETURN(const std::int64_t count, OutputElements(node, {m, n}, context));
  LEPTON_RETURN_IF_ERROR(CheckMultiplyAdds(node, {m, k, n}, context));
  Tensor out = Tensor::Float({m, n}, std::vector<float>(static_cast<std::size_t>(count), 0.0F));
  for (std::int64_t i = 0; i < m; ++i) {
    float* row = out.floats.data() + i * n;
    for (std::int64_t p = 0; p < k; ++p) {
      const float av = trans_a ? a.floats[p * m + i] : a.floats[i * k + p];
      if (trans_b) {
        for (std::int64_t j = 0; j < n; ++j) row[j] += av * b.floats[j * k + p];
      } else {
        const float* b_row = b.floats.data() + p * n;
        for (std::int64_t j = 0; j < n; ++j) row[j] += av * b_row[j];
      }
    }
    for (std::int64_t j = 0; j < n; ++j) row[j] *= alpha;
  }
  if (has_c) {
    const Tensor& c = *inputs[2];
    const Shape target = {m, n};
    auto broadcast = BroadcastShapes(c.shape, target);
    if (!broadcast || *broadcast != target) {
      return std::unexpected(
          NodeError(node, "C of shape " + c.ShapeString() + " does not broadcast to [M, N]"));
    }
    ForEachBroadcast(target, BroadcastStrides(c.shape, target), Shape(2, 0),
                     [&](std::int64_t i, std::int64_t ic, std::int64_t /*unused*/) {
                       out.floats[i] += beta * c.floats[ic];
                     });
  }
  return std::vector<Tensor>{std::move(out)};
}

// numpy.matmul: 1-D operands are promoted and the added axis removed; batch axes broadcast.
Outputs MatMul(const Node& node, const std::vector<const Tensor*>& inputs,
               const OpContext& context) {
  LEPTON_RETURN_IF_ERROR(RequireInputs(node, inputs, 2));
  Shape a_shape = inputs[0]->shape;
  Shape b_shape = inputs[1]->shape;
  if (a_shape.empty() || b_shape.empty()) return std::unexpected(NodeError(node, "scalar operand"));
  const bool a_vector = a_shape.size() == 1;
  const bool b_vector = b_shape.size() == 1;
  if (a_vector) a_shape.insert(a_shape.begin(), 1);
  if (b_vector) b_shape.push_back(1);
  const std::int64_t m = a_shape[a_shape.size() - 2];
  const std::int64_t k = a_shape.back();
  const std::int64_t n = b_shape.back();
  if (b_shape[b_shape.size() - 2] != k) {
    return std::unexpected(NodeError(node, "inner dimensions differ"));
  }
  const Shape a_batch(a_shape.begin(), a_shape.end() - 2);
  const Shape b_batch(b_shape.begin(), b_shape.end() - 2);
  auto batch = BroadcastShapes(a_batch, b_batch);
  if (!batch) return std::unexpected(NodeError(node, batch.error().message()));
  Shape out_shape = *batch;
  out_shape.push_back(m);
  out_shape.push_back(n);
  LEPTON_ASSIGN_OR_RETURN(const std::int64_t count, OutputElements(node, out_shape, context));
  LEPTON_ASSIGN_OR_RETURN(const std::int64_t batches, OutputElements(node, *batch, context));
  LEPTON_RETURN_IF_ERROR(CheckMultiplyAdds(node, {batches, m, k, n}, context));
  Tensor out = Tensor::Float(out_shape, std::vector<float>(static_cast<std::size_t>(count), 0.0F));
  const Shape a_strides = BroadcastStrides(a_batch, *batch);
  const Shape b_strides = BroadcastStrides(b_batch, *batch);
  ForEachBroadcast(*batch, a_strides, b_strides,
                   [&](std::int64_t index, std::int64_t ia, std::int64_t ib) {
                     const float* a = inputs[0]->floats.data() + ia * m * k;
                     const float* b = inputs[1]->floats.data() + ib * k * n;
                     float* c = out.floats.data() + index * m * n;
                     for (std::int64_t i = 0; i < m; ++i) {
                       for (std::int64_t p = 0; p < k; ++p) {
                         for (std::int64_t j = 0; j < n; ++j)
                           c[i * n + j] += a[i * k + p] * b[p * n + j];
                       }
                     }
                   });
  if (b_vector) out.shape.pop_back();
  if (a_vector) out.shape.erase(out.shape.end() - (b_vector ? 1 : 2));
  return std::vector<Tensor>{std::move(out)};
}

// Softmax or LogSoftmax over `axis` (opset >= 13), or over the flattened axes from `axis` on
// (opset < 13, where the default axis is 1).
Outputs SoftmaxLike(const Node& node, const std::vector<const Tensor*>& inputs, std::int64_t opset,
                    bool log) {
  LEPTON_RETURN_IF_ERROR(RequireInputs(node, inputs, 1));
  Tensor out = *inputs[0];
  const auto rank = static_cast<std::int64_t>(out.shape.size());
  if (rank == 0) return std::unexpected(NodeError(node, "scalar input"));
  const bool coerce = opset < 13;
  LEPTON_ASSIGN_OR_RETURN(const std::int64_t axis,
                          NormalizeAxis(node, IntAttribute(node, "axis", coerce ? 1 : -1), rank));
  std::int64_t outer = 1;
  std::int64_t length = 1;
  std::int64_t inner = 1;
  for (std::int64_t d = 0; d < rank; ++d) {
    if (d < axis)
      outer *= out.shape[d];
    else if (d == axis || coerce)
      length *= out.shape[d];
    else
      inner *= out.shape[d];
  }
  // An empty axis leaves nothing to normalise; stepping through the (null) data of an empty
  // tensor would be undefined (found by onnx_executor_fuzz: Softmax over an axis of length 0).
  if (length == 0) return std::vector<Tensor>{std::move(out)};
  for (std::int64_t o = 0; o < outer; ++o) {
    for (std::int64_t i = 0; i < inner; ++i) {
      float* base = out.floats.data() + o * length * inner + i;
      float max = -std::numeric_limits<float>::infinity();
      for (std::int64_t l = 0; l < length; ++l) max = std::max(max, base[l * inner]);
      double sum = 0;
      for (std::int64_t l = 0; l < length; ++l)
        sum += std::exp(static_cast<double>(base[l * inner] - max));
      for (std::int64_t l = 0; l < length; ++l) {
        const auto shifted = static_cast<double>(base[l * inner] - max);
        base[l * inner] =
            static_cast<float>(log ? shifted - std::log(sum) : std::exp(shifted) / sum);
      }
    }
  }
  return std::vector<Tensor>{std::move(out)};
}

Outputs Softmax(const Node& n, const std::vector<const Tensor*>& in, const OpContext& context) {
  return SoftmaxLike(n, in, context.opset, false);
}
Outputs LogSoftmax(const Node& n, const std::vector<const Tensor*>& in, const OpContext& context) {
  return SoftmaxLike(n, in, context.opset, true);
}

Outputs Flatten(const Node& node, const std::vector<const Tensor*>& inputs,
                const OpContext& /*context*/) {
  LEPTON_RETURN_IF_ERROR(RequireInputs(node, inputs, 1, false));
  Tensor out = *inputs[0];
  const auto rank = static_cast<std::int64_t>(out.shape.size());
  LEPTON_ASSIGN_OR_RETURN(const std::int64_t axis,
                          NormalizeAxis(node, IntAttribute(node, "axis", 1), rank, true));
  const Shape& dims = inputs[0]->shape;
  out.shape = {ElementCount(Shape(dims.begin(), dims.begin() + axis)),
               ElementCount(Shape(dims.begin() + axis, dims.end()))};
  return std::vector<Tensor>{std::move(out)};
}

Outputs Reshape(const Node& node, const std::vector<const Tensor*>& inputs,
                const OpContext& context) {
  LEPTON_RETURN_IF_ERROR(RequireInputs(node, inputs, 2, false));
  if (inputs[1]->type != Tensor::Type::kInt64)
    return std::unexpected(NodeError(node, "shape must be int64"));
  const bool allow_zero = IntAttribute(node, "allowzero", 0) != 0;
  Tensor out = *inputs[0];
  Shape shape = inputs[1]->ints;
  Shape known_dims;  // all but the -1
  std::optional<std::size_t> inferred;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 0 && !allow_zero) {
      if (i >= out.shape.size())
        return std::unexpected(NodeError(node, "0 copies a missing dimension"));
      shape[i] = inputs[0]->shape[i];
    }
    if (shape[i] == -1) {
      if (inferred) return std::unexpected(NodeError(node, "more than one -1"));
      inferred = i;
      continue;
    }
    if (shape[i] < 0) return std::unexpected(NodeError(node, "negative dimension"));
    known_dims.push_back(shape[i]);
  }
  // Bounded, so the product cannot overflow (onnx_executor_fuzz found a signed overflow here).
  LEPTON_ASSIGN_OR_RETURN(const std::int64_t known, OutputElements(node, known_dims, context));
  if (inferred) {
    if (known == 0 || out.size() % known != 0) {
      return std::unexpected(NodeError(node, "cannot infer -1 for " + out.ShapeString()));
    }
    shape[*inferred] = out.size() / known;
  }
  LEPTON_ASSIGN_OR_RETURN(const std::int64_t count, OutputElements(node, shape, context));
  if (count != out.size()) {
    return std::unexpected(NodeError(node, "shape does not match " + out.ShapeString()));
  }
  out.shape = shape;
  return std::vector<Tensor>{std::move(out)};
}

Outputs Transpose(const Node& node, const std::vector<const Tensor*>& inputs,
                  const OpContext& /*context*/) {
  LEPTON_RETURN_IF_ERROR(RequireInputs(node, inputs, 1, false));
  const Tensor& in = *inputs[0];
  const std::size_t rank = in.shape.size();
  Shape perm(rank);
  if (auto it = node.attributes.find("perm"); it != node.attributes.end()) {
    perm = it->second.ints;
  } else {
    for (std::size_t i = 0; i < rank; ++i) perm[i] = static_cast<std::int64_t>(rank - 1 - i);
  }
  Shape sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t i = 0; i < rank; ++i) {
    if (sorted.size() != rank || sorted[i] != static_cast<std::int64_t>(i)) {
      return std::unexpected(NodeError(node, "perm is not a permutation of the axes"));
    }
  }
  Shape out_shape(rank);
  for (std::size_t i = 0; i < rank; ++i) out_shape[i] = in.shape[perm[i]];
  Shape in_strides(rank, 1);
  for (std::size_t i = rank; i-- > 1;) in_strides[i - 1] = in_strides[i] * in.shape[i];
  Shape strides(rank);
  for (std::size_t i = 0; i < rank; ++i) strides[i] = in_strides[perm[i]];
  Tensor out = in;
  out.shape = out_shape;
  ForEachBroadcast(out_shape, strides, Shape(rank, 0),
                   [&](std::int64_t i, std::int64_t src, std::int64_t /*unused*/) {
                     if (in.type == Tensor::Type::kFloat) {
                       out.floats[i] = in.floats[src];
                     } else {
                       out.ints[i] = in.ints[src];
                     }
                   });
  return std::vector<Tensor>{std::move(out)};
}

Outputs ArgMax(const Node& node, const std::vector<const Tensor*>& inputs,
               const OpContext& /*context*/) {
  LEPTON_RETURN_IF_ERROR(RequireInputs(node, inputs, 1));
  const Tensor& in = *inputs[0];
  const auto rank = static_cast<std::int64_t>(in.shape.size());
  LEPTON_ASSIGN_OR_RETURN(const std::int64_t axis,
                          NormalizeAxis(node, IntAttribute(node, "axis", 0), rank));
  const bool keepdims = IntAttribute(node, "keepdims", 1) != 0;
  const bool last = IntAttribute(node, "select_last_index", 0) != 0;
  std::int64_t outer = 1;
  std::int64_t inner = 1;
  for (std::int64_t d = 0; d < axis; ++d) outer *= in.shape[d];
  for (std::int64_t d = axis + 1; d < rank; ++d) inner *= in.shape[d];
  const std::int64_t length = in.shape[axis];
  if (length == 0) return std::unexpected(NodeError(node, "axis has length 0: no maximum"));
  Shape out_shape = in.shape;
  if (keepdims) {
    out_shape[axis] = 1;
  } else {
    out_shape.erase(out_shape.begin() + axis);
  }
  Tensor out =
      Tensor::Int64(out_shape, std::vector<std::int64_t>(static_cast<std::size_t>(outer * inner)));
  for (std::int64_t o = 0; o < outer; ++o) {
    for (std::int64_t i = 0; i < inner; ++i) {
      const float* base = in.floats.data() + o * length * inner + i;
      std::int64_t best = 0;
      for (std::int64_t l = 1; l < length; ++l) {
        const float value = base[l * inner];
        const float current = base[best * inner];
        if (value > current || (last && value == current)) best = l;
      }
      out.ints[o * inner + i] = best;
    }
  }
  return std::vector<Tensor>{std::move(out)};
}

struct OpEntry {
  std::string_view name;
  OpFunction function;
};

constexpr std::array<OpEntry, 16> kOps = {{
    {"Add", Add},
    {"Sub", Sub},
    {"Mul", Mul},
    {"Div", Div},
    {"Relu", Relu},
    {"Sigmoid", Sigmoid},
    {"Tanh", Tanh},
    {"Identity", Identity},
    {"Gemm", Gemm},
    {"MatMul", MatMul},
    {"Softmax", Softmax},
    {"LogSoftmax", LogSoftmax},
    {"Flatten", Flatten},
    {"Reshape", Reshape},
    {"Transpose", Transpose},
    {"ArgMax", ArgMax},
}};

}  // namespace

Result<std::vector<std::int64_t>> BroadcastShapes(const std::vector<std::int64_t>& a,
                                                  const std::vector<std::int64_t>& b) {
  const std::size_t rank = std::max(a.size(), b.size());
  std::vector<std::int64_t> out(rank);
  for (std::size_t i = 0; i < rank; ++i) {
    const std::int64_t x = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const std::int64_t y = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (x != y && x != 1 && y != 1) {
      return std::unexpected(
          InvalidArgumentError("shapes do not broadcast at axis " + std::to_string(i)));
    }
    out[i] = x == 1 ? y : x;
  }
  return out;
}

OpFunction FindOp(std::string_view op_type) {
  for (const OpEntry& entry : kOps) {
    if (entry.name == op_type) return entry.function;
  }
  return nullptr;
}

std::vector<std::string_view> SupportedOps() {
  std::vector<std::string_view> names;
  for (const OpEntry& entry : kOps) names.push_back(entry.name);
  return names;
}

}  // namespace lepton::onnx
