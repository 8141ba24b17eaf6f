#pragma once
// CUDA runtime errors as Status, for the module's host code (device memory, NCCL), classified as
// the engines' are (cuda_error.h): no device, no driver or an unsupported one is Unavailable (the
// work is "not measured"); running out of device memory is ResourceExhausted; anything else is
// Internal.

#include <cuda_runtime.h>

#include <string_view>

#include "conformance/core/status.h"

namespace lepton::bench::cuda {

// OK for cudaSuccess, else "what: cudaErrorName (description)" with the code above. Clears a
// non-sticky error so later calls report their own.
Status CudaStatus(cudaError_t error, std::string_view what);

// The number of devices the runtime sees; Unavailable with its reason when there are none.
Result<int> CudaDeviceCount();

}  // namespace lepton::bench::cuda
