#pragma once
// The regression workload's two solvers on one device, so the workload holds its logic once:
// the CPU (OpenBLAS DSYRK, LAPACK DPOSV, dgemv SGD; solvers.h) or a CUDA GPU (cuBLAS DSYRK and
// SGD kernels in CUDA graphs, bench/backends/cuda/; the small normal equations are solved on the
// host by the same DPOSV). Both visit SGD's blocks in the same order.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bench/workloads/linear_regression/regression_data.h"
#include "bench/workloads/linear_regression/solvers.h"
#include "conformance/core/status.h"

namespace lepton::bench {

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

// cpu or cuda; Unavailable (with the reason) when the CUDA backend or a GPU is missing.
Result<std::unique_ptr<RegressionSolvers>> MakeRegressionSolvers(std::string_view device);

}  // namespace lepton::bench
