#pragma once
// The MlpModel of the CPU: the oneDNN-backed Mlp (mlp.h) with the host-side batch gather
// (bench/models/mlp_batches.h).

#include <memory>

#include "bench/models/mlp_model.h"

namespace lepton::bench {

std::unique_ptr<MlpModel> MakeCpuMlpModel(const MlpShape& shape, int max_batch);

}  // namespace lepton::bench
