// The entry point of liblepton_cuda.so (bench/backends/cuda_backend.h); the module exports
// nothing else (built with hidden visibility).

#include "bench/backends/cuda/cuda_mlp_model.h"
#include "bench/backends/cuda/cuda_regression.h"
#include "bench/backends/cuda_backend.h"

namespace lepton::bench {
namespace {

class ModuleBackend final : public CudaBackend {
 public:
  Result<std::unique_ptr<MlpModel>> MakeMlp(const MlpModelOptions& options) override {
    return MakeCudaMlpModel(options);
  }
  Result<std::unique_ptr<DeviceRegression>> MakeRegression() override {
    return MakeCudaRegression();
  }
};

}  // namespace
}  // namespace lepton::bench

extern "C" __attribute__((visibility("default"))) lepton::bench::CudaBackend* lepton_cuda_backend(
    int abi_version) {
  if (abi_version != lepton::bench::kCudaBackendAbiVersion) return nullptr;
  static lepton::bench::ModuleBackend backend;
  return &backend;
}
