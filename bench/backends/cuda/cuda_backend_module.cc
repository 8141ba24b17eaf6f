// The entry point of liblepton_cuda.so (bench/backends/cuda_backend.h); the module exports
// nothing else (built with hidden visibility).

#include "bench/backends/cuda/cuda_device_memory.h"
#include "bench/backends/cuda/cuda_mlp_model.h"
#include "bench/backends/cuda/cuda_regression.h"
#ifdef LEPTON_CUDA_MODULE_HAS_NCCL
#include "bench/backends/cuda/nccl_communicator.h"
#endif
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
  Result<std::unique_ptr<DeviceMemory>> MakeDeviceMemory(int device) override {
    return cuda::MakeCudaDeviceMemory(device);
  }
  Result<std::unique_ptr<Communicator>> MakeNcclCommunicator(Communicator& bootstrap, int device,
                                                             double timeout_seconds) override {
#ifdef LEPTON_CUDA_MODULE_HAS_NCCL
    return cuda::MakeNcclCommunicator(bootstrap, device, timeout_seconds);
#else
    (void)bootstrap;
    (void)device;
    (void)timeout_seconds;
    return std::unexpected(UnavailableError(
        "this build's CUDA module has no NCCL communicator (nccl.h was not found at configure "
        "time)"));
#endif
  }
  Result<std::unique_ptr<CommunicatorGroup>> MakeNcclLocalGroup(std::vector<int> devices,
                                                                double timeout_seconds) override {
#ifdef LEPTON_CUDA_MODULE_HAS_NCCL
    return cuda::MakeNcclLocalGroup(std::move(devices), timeout_seconds);
#else
    (void)devices;
    (void)timeout_seconds;
    return std::unexpected(UnavailableError(
        "this build's CUDA module has no NCCL communicator (nccl.h was not found at configure "
        "time)"));
#endif
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
