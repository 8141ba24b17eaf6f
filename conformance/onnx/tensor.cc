#include "conformance/onnx/tensor.h"

namespace lepton::onnx {

std::int64_t ElementCount(const std::vector<std::int64_t>& shape) {
  std::int64_t count = 1;
  for (std::int64_t d : shape) count *= d;
  return count;
}

std::optional<std::int64_t> BoundedElementCount(const std::vector<std::int64_t>& shape,
                                                std::int64_t limit) {
  std::int64_t non_zero = 1;
  bool empty = false;
  for (std::int64_t d : shape) {
    if (d < 0) return std::nullopt;
    if (d == 0) {
      empty = true;
      continue;
    }
    if (non_zero > limit / d) return std::nullopt;
    non_zero *= d;
  }
  return empty ? 0 : non_zero;
}

std::int64_t Tensor::size() const { return ElementCount(shape); }

std::string Tensor::ShapeString() const {
  std::string out = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    out += (i ? ", " : "") + std::to_string(shape[i]);
  }
  return out + "]";
}

Tensor Tensor::Float(std::vector<std::int64_t> shape, std::vector<float> values) {
  Tensor t;
  t.type = Type::kFloat;
  t.shape = std::move(shape);
  t.floats = std::move(values);
  return t;
}

Tensor Tensor::Int64(std::vector<std::int64_t> shape, std::vector<std::int64_t> values) {
  Tensor t;
  t.type = Type::kInt64;
  t.shape = std::move(shape);
  t.ints = std::move(values);
  return t;
}

}  // namespace lepton::onnx
