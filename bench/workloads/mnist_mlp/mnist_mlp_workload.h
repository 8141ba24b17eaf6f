#pragma once
// The MNIST reference workload: the MLP trained on an IDX image dataset, one timed step per
// epoch, the test set evaluated after each epoch outside the timed region.

#include <memory>

#include "bench/api/workload.h"

namespace lepton::bench {

std::unique_ptr<Workload> MakeMnistMlpWorkload();

}  // namespace lepton::bench
