#pragma once
// The MlpModel of the CUDA backend: MlpEngine (cuda_mlp_engine.cu) behind the project's
// Status-returning interface.

#include <memory>

#include "bench/backends/cuda/device_watch.h"
#include "bench/models/mlp_model.h"
#include "conformance/core/status.h"

namespace lepton::bench {

// `watch` (the module's) outlives the model.
Result<std::unique_ptr<MlpModel>> MakeCudaMlpModel(const MlpModelOptions& options,
                                                   cuda::DeviceWatch& watch);

}  // namespace lepton::bench
