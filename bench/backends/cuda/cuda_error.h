#pragma once
// A CUDA runtime error as a DeviceStatus, named and classified in one place for the engines'
// CUDA code (cuda_support.cuh) and the module's host code (cuda_status.h). C++20.

#include <cuda_runtime.h>

#include <string>

#include "bench/backends/cuda/device_status.h"

namespace lepton::bench::cuda {

// "what: cudaErrorName (description)". No device, a driver too old, an unsupported operation or
// a device the process does not see is unavailable; cudaErrorMemoryAllocation is out of memory.
// Clears a non-sticky error so later calls report their own.
inline DeviceStatus CudaFailure(const std::string& what, cudaError_t error) {
  (void)cudaGetLastError();
  DeviceStatus status;
  status.error = what + ": " + cudaGetErrorName(error) + " (" + cudaGetErrorString(error) + ")";
  status.unavailable = error == cudaErrorNoDevice || error == cudaErrorInsufficientDriver ||
                       error == cudaErrorNotSupported || error == cudaErrorInvalidDevice;
  status.out_of_memory = error == cudaErrorMemoryAllocation;
  return status;
}

}  // namespace lepton::bench::cuda
