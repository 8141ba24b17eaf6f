#include "bench/workloads/mnist_mlp/mlp_model.h"

#include "bench/backends/cuda_backend.h"
#include "bench/workloads/mnist_mlp/cpu_mlp_model.h"

namespace lepton::bench {

Result<MlpPrecision> ParseMlpPrecision(std::string_view name) {
  if (name == "fp32") return MlpPrecision::kFp32;
  if (name == "tf32") return MlpPrecision::kTf32;
  return std::unexpected(
      InvalidArgumentError("precision '" + std::string(name) + "' (expected fp32 or tf32)"));
}

Result<std::unique_ptr<MlpModel>> MakeMlpModel(const MlpModelOptions& options) {
  if (options.max_batch < 1) {
    return std::unexpected(
        InvalidArgumentError("a model holding " + std::to_string(options.max_batch) + " rows"));
  }
  if (options.device == "cpu") {
    if (options.precision != MlpPrecision::kFp32) {
      return std::unexpected(UnavailableError(
          "tf32 is a CUDA tensor-core mode; the CPU backend computes in fp32 only"));
    }
    return MakeCpuMlpModel(options.shape, options.max_batch);
  }
  if (options.device == "cuda") {
    LEPTON_ASSIGN_OR_RETURN(CudaBackend * backend, LoadCudaBackend());
    return backend->MakeMlp(options);
  }
  return std::unexpected(
      InvalidArgumentError("device '" + options.device + "' (expected cpu or cuda)"));
}

}  // namespace lepton::bench
