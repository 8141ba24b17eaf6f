#include "bench/backends/cuda/cuda_device_memory.h"

#include <cuda_runtime.h>

#include <string>

#include "bench/backends/cuda/cuda_status.h"

namespace lepton::bench::cuda {
namespace {

class CudaDeviceMemory final : public DeviceMemory {
 public:
  CudaDeviceMemory(int device, std::string description)
      : device_(device), description_(std::move(description)) {}

  [[nodiscard]] std::string description() const override { return description_; }
  [[nodiscard]] int device_index() const override { return device_; }

  Result<void*> Allocate(std::size_t bytes) override {
    LEPTON_RETURN_IF_ERROR(Select());
    void* data = nullptr;
    LEPTON_RETURN_IF_ERROR(
        CudaStatus(cudaMalloc(&data, bytes),
                   "cudaMalloc of " + std::to_string(bytes) + " bytes on " + description_));
    return data;
  }

  void Free(void* device) override {
    if (Select().ok()) (void)cudaFree(device);
  }

  // cudaMemcpy from pageable memory may return before the DMA lands; the device-wide
  // synchronization makes the data visible to the communicator's own (non-blocking) stream.
  Status CopyToDevice(void* device, const void* host, std::size_t bytes) override {
    LEPTON_RETURN_IF_ERROR(Select());
    LEPTON_RETURN_IF_ERROR(CudaStatus(cudaMemcpy(device, host, bytes, cudaMemcpyHostToDevice),
                                      "cudaMemcpy to " + description_));
    return CudaStatus(cudaDeviceSynchronize(), "cudaDeviceSynchronize after a copy to the device");
  }

  Status CopyToHost(void* host, const void* device, std::size_t bytes) override {
    LEPTON_RETURN_IF_ERROR(Select());
    LEPTON_RETURN_IF_ERROR(CudaStatus(cudaDeviceSynchronize(), "cudaDeviceSynchronize"));
    return CudaStatus(cudaMemcpy(host, device, bytes, cudaMemcpyDeviceToHost),
                      "cudaMemcpy from " + description_);
  }

 private:
  Status Select() const { return CudaStatus(cudaSetDevice(device_), "cudaSetDevice"); }

  int device_;
  std::string description_;
};

}  // namespace

Result<std::unique_ptr<DeviceMemory>> MakeCudaDeviceMemory(int device) {
  LEPTON_ASSIGN_OR_RETURN(const int count, CudaDeviceCount());
  if (device < 0 || device >= count) {
    return std::unexpected(UnavailableError("CUDA device " + std::to_string(device) +
                                            " does not exist: this process sees " +
                                            std::to_string(count) + " device(s)"));
  }
  cudaDeviceProp properties{};
  LEPTON_RETURN_IF_ERROR(
      CudaStatus(cudaGetDeviceProperties(&properties, device), "cudaGetDeviceProperties"));
  return std::make_unique<CudaDeviceMemory>(
      device, "cuda:" + std::to_string(device) + " " + std::string(properties.name));
}

}  // namespace lepton::bench::cuda
