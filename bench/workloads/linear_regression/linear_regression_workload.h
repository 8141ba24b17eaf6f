#pragma once
// The linear-regression reference workload: two timed steps per run, the closed-form solve and
// mini-batch SGD, on seeded synthetic data with known coefficients or on a user's CSV file.

#include <memory>

#include "bench/api/workload.h"

namespace lepton::bench {

std::unique_ptr<Workload> MakeLinearRegressionWorkload();

}  // namespace lepton::bench
