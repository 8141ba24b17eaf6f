#pragma once
// The one place that picks a device's arithmetic for the model interfaces of bench/models/: the
// CPU backend (bench/backends/cpu/) or the CUDA module through its loader (cuda_backend.h). The
// workloads name a device ("cpu" or "cuda", the plan's) and get the interface back.

#include <memory>
#include <string_view>

#include "bench/models/mlp_model.h"
#include "bench/models/regression_solvers.h"
#include "conformance/core/status.h"

namespace lepton::bench {

// Unavailable when the device is not there (no CUDA backend in this build, no GPU, no driver),
// with the reason; InvalidArgument for an unknown device or a precision the device cannot do.
Result<std::unique_ptr<MlpModel>> MakeMlpModel(const MlpModelOptions& options);

// cpu or cuda; Unavailable (with the reason) when the CUDA backend or a GPU is missing.
Result<std::unique_ptr<RegressionSolvers>> MakeRegressionSolvers(std::string_view device);

}  // namespace lepton::bench
