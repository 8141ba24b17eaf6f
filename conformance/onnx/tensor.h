#pragma once
// Tensors of the reference ONNX executor: float32 or int64, row-major, with a shape.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lepton::onnx {

struct Tensor {
  enum class Type { kFloat, kInt64 };

  Type type = Type::kFloat;
  std::vector<std::int64_t> shape;
  std::vector<float> floats;       // kFloat
  std::vector<std::int64_t> ints;  // kInt64

  [[nodiscard]] std::int64_t size() const;        // product of shape (1 for a scalar)
  [[nodiscard]] std::string ShapeString() const;  // "[2, 3]"
  static Tensor Float(std::vector<std::int64_t> shape, std::vector<float> values);
  static Tensor Int64(std::vector<std::int64_t> shape, std::vector<std::int64_t> values);
};

std::int64_t ElementCount(const std::vector<std::int64_t>& shape);

// The element count of `shape` when every dimension is >= 0 and the product of its non-zero
// dimensions is at most `limit`, so that no product of its dimensions can overflow; nullopt
// otherwise. Every tensor the loader or the executor accepts satisfies this.
std::optional<std::int64_t> BoundedElementCount(const std::vector<std::int64_t>& shape,
                                                std::int64_t limit);

}  // namespace lepton::onnx
