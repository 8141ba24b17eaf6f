#pragma once
// bfloat16 on the host: the upper 16 bits of an IEEE float32 (8 exponent bits, an 8-bit
// significand counting the implicit bit), the layout of NCCL's ncclBfloat16 and CUDA's
// __nv_bfloat16. Every integer of magnitude up to 256 is exact. FloatToBfloat16 rounds to
// nearest, ties to even, as __float2bfloat16 does; a NaN stays a (quiet) NaN.

#include <bit>
#include <cstdint>

namespace lepton::bench {

inline float Bfloat16ToFloat(std::uint16_t bits) {
  return std::bit_cast<float>(static_cast<std::uint32_t>(bits) << 16);
}

inline std::uint16_t FloatToBfloat16(float value) {
  const auto bits = std::bit_cast<std::uint32_t>(value);
  if ((bits & 0x7F800000U) == 0x7F800000U && (bits & 0x007FFFFFU) != 0) {
    return static_cast<std::uint16_t>((bits >> 16) | 0x0040U);  // NaN: quiet, sign kept
  }
  const std::uint32_t rounding = 0x7FFFU + ((bits >> 16) & 1U);
  return static_cast<std::uint16_t>((bits + rounding) >> 16);
}

}  // namespace lepton::bench
