#pragma once
// Where each layer's parameters sit in the MLP's one parameter buffer [W1 | b1 | W2 | b2], and
// their seeded initial values, shared by every device's model (mlp_model.h) so all start equal.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "bench/models/mlp_definition.h"

namespace lepton::bench {

struct MlpLayout {
  explicit MlpLayout(const MlpShape& shape);
  std::size_t b1;  // W1 starts at 0
  std::size_t w2;
  std::size_t b2;
  std::size_t count;
};

// PyTorch's nn.Linear default: every weight and bias uniform in [-1/sqrt(fan_in),
// 1/sqrt(fan_in)), drawn from std::mt19937_64(seed) in the order W1, b1, W2, b2.
std::vector<float> InitialMlpParameters(const MlpShape& shape, std::uint64_t seed);

}  // namespace lepton::bench
