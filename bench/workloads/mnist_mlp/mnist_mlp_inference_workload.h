#pragma once
// Inference of the reference MLP: every request is one timed step (the runner's clock), so the
// latency percentiles and throughput come from the same timer as every other figure. Weights
// are the seeded initialisation: the cost of a dense forward pass does not depend on their
// values, and accuracy is the training workload's business.

#include <memory>

#include "bench/api/workload.h"

namespace lepton::bench {

std::unique_ptr<Workload> MakeMnistMlpInferenceWorkload();

}  // namespace lepton::bench
