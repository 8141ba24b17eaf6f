#include "bench/models/mlp_parameters.h"

#include <cmath>
#include <random>

namespace lepton::bench {

MlpLayout::MlpLayout(const MlpShape& shape)
    : b1(static_cast<std::size_t>(shape.inputs) * shape.hidden),
      w2(b1 + static_cast<std::size_t>(shape.hidden)),
      b2(w2 + static_cast<std::size_t>(shape.hidden) * shape.outputs),
      count(b2 + static_cast<std::size_t>(shape.outputs)) {}

std::vector<float> InitialMlpParameters(const MlpShape& shape, std::uint64_t seed) {
  const MlpLayout layout(shape);
  std::vector<float> params(layout.count);
  std::mt19937_64 rng(seed);
  const auto fill = [&](std::size_t begin, std::size_t end, int fan_in) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
    for (std::size_t i = begin; i < end; ++i) {
      const double unit = static_cast<double>(rng() >> 11) * 0x1.0p-53;  // [0, 1)
      params[i] = static_cast<float>((2.0 * unit - 1.0) * bound);
    }
  };
  fill(0, layout.b1, shape.inputs);
  fill(layout.b1, layout.w2, shape.inputs);
  fill(layout.w2, layout.b2, shape.hidden);
  fill(layout.b2, layout.count, shape.hidden);
  return params;
}

}  // namespace lepton::bench
