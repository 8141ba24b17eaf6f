#pragma once
// CUDA devices through the driver library loaded with dlopen, so the binary has no link
// dependency on libcuda and runs (reporting zero GPUs, with the reason) where no driver exists.
// Per device: name, PCI bus id, compute capability, memory, multiprocessors, clocks, memory bus
// width and ECC, each from the driver API's stable C ABI.

#include <string>

#include "conformance/checks/system_probe.h"

namespace lepton::checks {

inline constexpr const char* kCudaDriverLibrary = "libcuda.so.1";

// `library` is the driver's soname; tests pass a stand-in built from fake_cuda_driver.cc.
GpuProbe ProbeCudaDriver(const std::string& library = kCudaDriverLibrary);

}  // namespace lepton::checks
