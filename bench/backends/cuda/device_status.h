#pragma once
// What a CUDA engine call returns (C++20, so CUDA code can use it; cuda_device_status.h turns it
// into the project's Status): empty `error` on success, else the failing call named, and how
// the work is then reported.

#include <string>

namespace lepton::bench::cuda {

struct DeviceStatus {
  std::string error;           // empty when the call succeeded
  bool unavailable = false;    // no device, no driver: "not measured", not a failure
  bool out_of_memory = false;  // the device's memory ran out: ResourceExhausted
  // The device's work outlasted LEPTON_DEVICE_TIMEOUT_S (device_wait.h), or the call was refused
  // because it did earlier (device_watch.h): DeadlineExceeded, the code of a watchdog that fired.
  bool hung = false;
  [[nodiscard]] bool ok() const { return error.empty(); }
};

}  // namespace lepton::bench::cuda
