#pragma once
// The regression workload's two solvers on one device, so the workload holds its logic once:
// the CPU (OpenBLAS DSYRK, LAPACK DPOSV, dgemv SGD; bench/backends/cpu/cpu_regression.h) or a
// CUDA GPU (cuBLAS DSYRK and SGD kernels in CUDA graphs, bench/backends/cuda/; the small normal
// equations are solved on the host by the same DPOSV). Both visit SGD's blocks in the same order
// (block_order.h). MakeRegressionSolvers (bench/backends/model_factories.h) picks one.

#include <cstdint>
#include <string>
#include <vector>

#include "bench/models/regression_data.h"
#include "conformance/core/status.h"

namespace lepton::bench {

// Mini-batch SGD's settings; every device runs the same algorithm (cpu_regression.h's SgdSolver).
struct SgdSettings {
  double learning_rate = 0.01;
  std::int64_t batch_size = 256;
  std::int64_t epochs = 1;
  std::uint64_t seed = 0;
  bool intercept = true;
};

struct SgdResult {
  std::vector<double> coefficients;
  double final_epoch_train_mse = 0;  // mean squared residual over the last epoch's batches
};

class RegressionSolvers {
 public:
  virtual ~RegressionSolvers() = default;
  // What ran the arithmetic, for the report.
  [[nodiscard]] virtual std::string description() const = 0;
  // Untimed, once: the data both solvers train on (the caller keeps it alive).
  virtual Status SetData(const RegressionData& data) = 0;
  // Timed: coefficients [w, b] of the closed form and of SGD.
  virtual Result<std::vector<double>> SolveClosedForm(bool intercept) = 0;
  virtual Result<SgdResult> SolveSgd(const SgdSettings& settings) = 0;
};

}  // namespace lepton::bench
