#pragma once
// Counts CUDA devices through the driver library loaded with dlopen, so the binary has no link
// dependency on libcuda and runs (reporting zero GPUs, with the reason) where no driver exists.

#include "conformance/checks/system_probe.h"

namespace lepton::checks {

GpuProbe ProbeCudaDriver();

}  // namespace lepton::checks
