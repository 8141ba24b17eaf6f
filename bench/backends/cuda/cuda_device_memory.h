#pragma once
// DeviceMemory (bench/api/device_memory.h) on one CUDA device: cudaMalloc, cudaMemcpy, cudaFree,
// each with that device made current first (the process may drive another device elsewhere).

#include <memory>

#include "bench/api/device_memory.h"
#include "conformance/core/status.h"

namespace lepton::bench::cuda {

// Unavailable without a device, or when `device` is not among those the runtime sees.
Result<std::unique_ptr<DeviceMemory>> MakeCudaDeviceMemory(int device);

}  // namespace lepton::bench::cuda
