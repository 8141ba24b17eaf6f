// The entry point of liblepton_cuda.so (bench/backends/cuda_backend.h); the module exports
// nothing else (built with hidden visibility).

#include "bench/backends/cuda/cuda_device_memory.h"
#include "bench/backends/cuda/cuda_mlp_model.h"
#include "bench/backends/cuda/cuda_regression.h"
#include "bench/backends/cuda/device_watch.h"
#ifdef LEPTON_CUDA_MODULE_HAS_NCCL
#include "bench/backends/cuda/nccl_communicator.h"
#endif
#include "bench/backends/cuda_backend.h"

namespace lepton::bench {
namespace {

class ModuleBackend final : public CudaBackend {
 public:
  // The limit of every device wait, read once: the process's devices share one watch.
  ModuleBackend() : watch_(cuda::DeviceTimeoutFromEnvironment()) {}

  Result<std::unique_ptr<MlpModel>> MakeMlp(const MlpModelOptions& options) override {
    return MakeCudaMlpModel(options, watch_);
  }
  Result<std::unique_ptr<DeviceRegression>> MakeRegression() override {
    return MakeCudaRegression(watch_);
  }
  Result<std::unique_ptr<DeviceMemory>> MakeDeviceMemory(int device) override {
    return cuda::MakeCudaDeviceMemory(device, watch_);
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
    return cuda::MakeNcclLocalGroup(std::move(devices), timeout_seconds, watch_);
#else
    (void)devices;
    (void)timeout_seconds;
    return std::unexpected(UnavailableError(
        "this build's CUDA module has no NCCL communicator (nccl.h was not found at configure "
        "time)"));
#endif
  }
  std::vector<std::string> HungDevices() override { return watch_.HungDevices(); }

 private:
  cuda::DeviceWatch watch_;
};

}  // namespace
}  // namespace lepton::bench

extern "C" __attribute__((visibility("default"))) lepton::bench::CudaBackend* lepton_cuda_backend(
    int abi_version) {
  if (abi_version != lepton::bench::kCudaBackendAbiVersion) return nullptr;
  static lepton::bench::ModuleBackend backend;
  return &backend;
}
