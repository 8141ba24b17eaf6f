#include "bench/backends/cuda/cuda_device_memory.h"

#include <cuda_runtime.h>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "bench/backends/cuda/cuda_device_status.h"
#include "bench/backends/cuda/cuda_error.h"
#include "bench/backends/cuda/cuda_status.h"

namespace lepton::bench::cuda {
namespace {

class CudaDeviceMemory final : public DeviceMemory {
 public:
  CudaDeviceMemory(int device, std::string description, DeviceWatch& watch)
      : device_(device), description_(std::move(description)), watch_(watch) {}

  [[nodiscard]] std::string description() const override { return description_; }
  [[nodiscard]] int device_index() const override { return device_; }

  Result<void*> Allocate(std::size_t bytes) override {
    const std::string what = "cudaMalloc of " + std::to_string(bytes) + " bytes on " + description_;
    LEPTON_RETURN_IF_ERROR(Select(what));
    void* data = nullptr;
    LEPTON_RETURN_IF_ERROR(CudaStatus(cudaMalloc(&data, bytes), what));
    return data;
  }

  // On a hung device the memory stays allocated: cudaFree waits for the device's work.
  void Free(void* device) override {
    if (Select("cudaFree").ok()) (void)cudaFree(device);
  }

  // cudaMemcpy from pageable memory may return before the DMA lands; the device-wide
  // synchronization makes the data visible to the communicator's own (non-blocking) stream.
  Status CopyToDevice(void* device, const void* host, std::size_t bytes) override {
    LEPTON_RETURN_IF_ERROR(Select("cudaMemcpy to " + description_));
    LEPTON_RETURN_IF_ERROR(CudaStatus(cudaMemcpy(device, host, bytes, cudaMemcpyHostToDevice),
                                      "cudaMemcpy to " + description_));
    return SynchronizeDevice("cudaDeviceSynchronize after a copy to the device");
  }

  // The device-wide wait first, so that the copy (which returns only once done) finds the
  // device idle and what its other streams wrote complete.
  Status CopyToHost(void* host, const void* device, std::size_t bytes) override {
    LEPTON_RETURN_IF_ERROR(Select("cudaMemcpy from " + description_));
    LEPTON_RETURN_IF_ERROR(SynchronizeDevice("cudaDeviceSynchronize before a copy to the host"));
    return CudaStatus(cudaMemcpy(host, device, bytes, cudaMemcpyDeviceToHost),
                      "cudaMemcpy from " + description_);
  }

 private:
  // Refused at once when the device hung earlier; else the device made current.
  Status Select(const std::string& what) const {
    LEPTON_RETURN_IF_ERROR(ToStatus(watch_.Check(device_, what)));
    return CudaStatus(cudaSetDevice(device_), "cudaSetDevice");
  }

  // cudaDeviceSynchronize, bounded by LEPTON_DEVICE_TIMEOUT_S. It has no timeout and no event
  // stands for every stream of the device (NCCL's among them), so it runs on a helper thread
  // that this one waits for through the module's bounded wait. When the device hangs, the
  // helper is left blocked (detached, touching only what it shares here) and the error returns;
  // the process then ends without waiting for it (tools/cli ends a run whose device hung).
  Status SynchronizeDevice(const std::string& what) {
    constexpr int kRunning = -1;
    auto outcome = std::make_shared<std::atomic<int>>(kRunning);  // a cudaError_t once done
    std::thread([device = device_, outcome] {
      cudaError_t error = cudaSetDevice(device);
      if (error == cudaSuccess) error = cudaDeviceSynchronize();
      outcome->store(static_cast<int>(error));
    }).detach();
    return ToStatus(watch_.Wait(device_, what, [&]() -> std::optional<DeviceStatus> {
      const int state = outcome->load();
      if (state == kRunning) return std::nullopt;
      if (state == cudaSuccess) return DeviceStatus{};
      return CudaFailure(what, static_cast<cudaError_t>(state));
    }));
  }

  int device_;
  std::string description_;
  DeviceWatch& watch_;
};

}  // namespace

Result<std::unique_ptr<DeviceMemory>> MakeCudaDeviceMemory(int device, DeviceWatch& watch) {
  LEPTON_ASSIGN_OR_RETURN(const int count, CudaDeviceCount());
  if (device < 0 || device >= count) {
    return std::unexpected(UnavailableError("CUDA device " + std::to_string(device) +
                                            " does not exist: this process sees " +
                                            std::to_string(count) + " device(s)"));
  }
  LEPTON_RETURN_IF_ERROR(ToStatus(watch.Check(device, "MakeDeviceMemory")));
  cudaDeviceProp properties{};
  LEPTON_RETURN_IF_ERROR(
      CudaStatus(cudaGetDeviceProperties(&properties, device), "cudaGetDeviceProperties"));
  return std::make_unique<CudaDeviceMemory>(
      device, "cuda:" + std::to_string(device) + " " + std::string(properties.name), watch);
}

}  // namespace lepton::bench::cuda
