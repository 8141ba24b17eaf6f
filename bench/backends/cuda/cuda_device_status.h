#pragma once
// A CUDA engine's DeviceStatus as the project's Status: no device or driver is Unavailable
// (reported as not measured), anything else Internal, each with the failing call named.

#include "bench/backends/cuda/device_status.h"
#include "conformance/core/status.h"

namespace lepton::bench {

inline Status ToStatus(const cuda::DeviceStatus& status) {
  if (status.ok()) return OkStatus();
  if (status.unavailable) return UnavailableError("no CUDA device to run on: " + status.error);
  if (status.out_of_memory) return ResourceExhaustedError(status.error);
  return InternalError(status.error);
}

}  // namespace lepton::bench
