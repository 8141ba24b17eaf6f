#pragma once
// How a batch reaches the MLP on every device: images gathered by item index into rows, each
// pixel scaled to [0, 1] as pixel * (1 / 255) in fp32. The CPU model gathers with this; the CUDA
// model's kernel does the same arithmetic, and the workloads' evaluation scales alike.

#include <cstdint>
#include <span>

namespace lepton::bench {

// Images items[0..count) as rows of x, pixels scaled to [0, 1], with their labels, from `pixels`
// (items x inputs bytes) and `labels`.
void GatherScaledRows(std::span<const std::uint8_t> pixels, std::span<const std::uint8_t> labels,
                      int inputs, const std::int32_t* items, int count, float* x,
                      std::uint8_t* batch_labels);

}  // namespace lepton::bench
