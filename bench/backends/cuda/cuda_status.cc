#include "bench/backends/cuda/cuda_status.h"

#include <string>

#include "bench/backends/cuda/cuda_device_status.h"
#include "bench/backends/cuda/cuda_error.h"
#include "bench/backends/cuda/cuda_mlp_engine.h"

namespace lepton::bench::cuda {

Status CudaStatus(cudaError_t error, std::string_view what) {
  if (error == cudaSuccess) return OkStatus();
  return ToStatus(CudaFailure(std::string(what), error));
}

Result<int> CudaDeviceCount() {
  int count = 0;
  LEPTON_RETURN_IF_ERROR(ToStatus(CountCudaDevices(count)));
  return count;
}

}  // namespace lepton::bench::cuda
