#pragma once
// A CUDA engine's DeviceStatus as the project's Status: no device or driver is Unavailable
// (reported as not measured), a hung device DeadlineExceeded, anything else Internal, each with
// the failing call named.

#include <string>

#include "bench/backends/cuda/device_status.h"
#include "conformance/core/status.h"

namespace lepton::bench {

inline Status ToStatus(const cuda::DeviceStatus& status) {
  if (status.ok()) return OkStatus();
  if (status.unavailable) return UnavailableError("no CUDA device to run on: " + status.error);
  if (status.out_of_memory) return ResourceExhaustedError(status.error);
  if (status.hung) return DeadlineExceededError(status.error);
  return InternalError(status.error);
}

// The device an engine runs on, "cuda:0", from its description ("cuda:0 NVIDIA H200 ..."): the
// context its errors carry, so a failure mid-run names the device as well as the call.
inline std::string DeviceName(const std::string& description) {
  return description.substr(0, description.find(' '));
}

}  // namespace lepton::bench
