#include "bench/backends/cuda/cuda_status.h"

#include <string>

namespace lepton::bench::cuda {

Status CudaStatus(cudaError_t error, std::string_view what) {
  if (error == cudaSuccess) return OkStatus();
  (void)cudaGetLastError();
  std::string message =
      std::string(what) + ": " + cudaGetErrorName(error) + " (" + cudaGetErrorString(error) + ")";
  switch (error) {
    case cudaErrorNoDevice:
    case cudaErrorInsufficientDriver:
    case cudaErrorNotSupported:
    case cudaErrorInvalidDevice:
      return UnavailableError(std::move(message));
    case cudaErrorMemoryAllocation:
      return ResourceExhaustedError(std::move(message));
    default:
      return InternalError(std::move(message));
  }
}

Result<int> CudaDeviceCount() {
  int count = 0;
  const cudaError_t error = cudaGetDeviceCount(&count);
  if (error != cudaSuccess) {
    // Whatever the cause (no driver, a driver too old), there is no device to measure.
    return std::unexpected(UnavailableError(CudaStatus(error, "cudaGetDeviceCount").message()));
  }
  if (count == 0) {
    return std::unexpected(UnavailableError("cudaGetDeviceCount: the CUDA runtime sees no device"));
  }
  return count;
}

}  // namespace lepton::bench::cuda
