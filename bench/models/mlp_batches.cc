#include "bench/models/mlp_batches.h"

#include <cstddef>

namespace lepton::bench {

void GatherScaledRows(std::span<const std::uint8_t> pixels, std::span<const std::uint8_t> labels,
                      int inputs, const std::int32_t* items, int count, float* x,
                      std::uint8_t* batch_labels) {
  for (int r = 0; r < count; ++r) {
    const auto item = static_cast<std::size_t>(items[r]);
    const std::uint8_t* image = pixels.data() + item * inputs;
    float* row = x + static_cast<std::size_t>(r) * inputs;
    for (int p = 0; p < inputs; ++p) row[p] = static_cast<float>(image[p]) * (1.0F / 255.0F);
    batch_labels[r] = labels[item];
  }
}

}  // namespace lepton::bench
