#pragma once
// DeviceMemory (bench/api/device_memory.h) on one CUDA device: cudaMalloc, cudaMemcpy, cudaFree,
// each with that device made current first (the process may drive another device elsewhere).
// The device-wide waits around copies are bounded by the module's DeviceWatch; once the device
// hung, every call is refused and Free leaves the memory allocated (cudaFree would wait).

#include <memory>

#include "bench/api/device_memory.h"
#include "bench/backends/cuda/device_watch.h"
#include "conformance/core/status.h"

namespace lepton::bench::cuda {

// Unavailable without a device, or when `device` is not among those the runtime sees. `watch`
// (the module's) outlives the memory.
Result<std::unique_ptr<DeviceMemory>> MakeCudaDeviceMemory(int device, DeviceWatch& watch);

}  // namespace lepton::bench::cuda
