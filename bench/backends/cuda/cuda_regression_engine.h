#pragma once
// The linear-regression solvers on one CUDA GPU (regression_step.h): the training rows copied
// to the device once; the closed form's Gram matrix by cuBLAS DSYRK (the Cholesky solve of the
// (d+1) x (d+1) normal equations stays on the host, where it takes microseconds); SGD as one
// block-wide kernel per epoch, the epoch's block order uploaded by the host so CPU and GPU visit
// the same blocks.
//
// Waits are bounded as the MLP engine's (LEPTON_DEVICE_TIMEOUT_S; see cuda_mlp_engine.h). C++20
// without CUDA types.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bench/backends/cuda/cuda_mlp_engine.h"

namespace lepton::bench::cuda {

struct SgdRun {
  std::int64_t batch = 1;
  std::int64_t epochs = 1;
  double learning_rate = 0;
  bool fit_intercept = true;
  // Blocks per epoch in visiting order, one vector per epoch.
  std::vector<std::vector<std::int64_t>> block_orders;
};

struct SgdOutcome {
  std::vector<double> weights;
  double intercept = 0;
  double last_epoch_sum_squares = 0;
  std::int64_t diverged_in_epoch = 0;  // 1-based; 0 when every epoch stayed finite
};

class RegressionEngine {
 public:
  // On the calling thread's current CUDA device. `watch` outlives it.
  static DeviceStatus Create(DeviceWatch& watch, std::unique_ptr<RegressionEngine>& engine);
  RegressionEngine(const RegressionEngine&) = delete;
  RegressionEngine& operator=(const RegressionEngine&) = delete;
  ~RegressionEngine();  // releases nothing once its GPU hung

  [[nodiscard]] std::string description() const;
  DeviceStatus SetRows(const double* rows, std::int64_t row_count, int stride);
  // stride x stride, row-major upper triangle filled (cpu/cpu_regression.h's AugmentedGram).
  DeviceStatus AugmentedGram(std::vector<double>& gram);
  DeviceStatus Sgd(const SgdRun& run, SgdOutcome& outcome);

 private:
  struct Impl;
  explicit RegressionEngine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace lepton::bench::cuda
