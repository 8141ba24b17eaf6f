#pragma once
// The DeviceRegression of the CUDA backend: RegressionEngine (cuda_regression_engine.cu) behind
// the project's Status-returning interface.

#include <memory>

#include "bench/backends/cuda/device_watch.h"
#include "bench/backends/cuda_backend.h"

namespace lepton::bench {

// `watch` (the module's) outlives the regression.
Result<std::unique_ptr<DeviceRegression>> MakeCudaRegression(cuda::DeviceWatch& watch);

}  // namespace lepton::bench
