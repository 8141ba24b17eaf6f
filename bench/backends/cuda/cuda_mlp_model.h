#pragma once
// The MlpModel of the CUDA backend: MlpEngine (cuda_mlp_engine.cu) behind the project's
// Status-returning interface.

#include <memory>

#include "bench/workloads/mnist_mlp/mlp_model.h"
#include "conformance/core/status.h"

namespace lepton::bench {

Result<std::unique_ptr<MlpModel>> MakeCudaMlpModel(const MlpModelOptions& options);

}  // namespace lepton::bench
