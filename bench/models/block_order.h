#pragma once
// The order in which mini-batch SGD visits the blocks of rows in one epoch, shared by the CPU
// solver (bench/backends/cpu/cpu_regression.cc) and the CUDA one so both visit the same blocks:
// 0..blocks-1 shuffled by Fisher-Yates with std::mt19937_64(seed + epoch), drawn the same on every
// platform.

#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace lepton::bench {

inline void ShuffleBlockOrder(std::uint64_t seed, std::int64_t epoch,
                              std::vector<std::int64_t>& order) {
  const auto blocks = static_cast<std::int64_t>(order.size());
  for (std::int64_t i = 0; i < blocks; ++i) order[static_cast<std::size_t>(i)] = i;
  std::mt19937_64 rng(seed + static_cast<std::uint64_t>(epoch));
  for (std::int64_t i = blocks - 1; i > 0; --i) {
    std::swap(order[static_cast<std::size_t>(i)], order[rng() % static_cast<std::uint64_t>(i + 1)]);
  }
}

}  // namespace lepton::bench
