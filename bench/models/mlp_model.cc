#include "bench/models/mlp_model.h"

#include <string>

namespace lepton::bench {

Result<MlpPrecision> ParseMlpPrecision(std::string_view name) {
  if (name == "fp32") return MlpPrecision::kFp32;
  if (name == "tf32") return MlpPrecision::kTf32;
  return std::unexpected(
      InvalidArgumentError("precision '" + std::string(name) + "' (expected fp32 or tf32)"));
}

}  // namespace lepton::bench
