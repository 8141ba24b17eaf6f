#pragma once
// The CPU's arithmetic for the regression workload's two least-squares solvers (OpenBLAS DSYRK
// and dgemv, LAPACK DPOSV), and its RegressionSolvers (bench/models/regression_solvers.h).
// Coefficients are returned as [w_1 .. w_d, b] (b = 0 without an intercept).

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "bench/models/regression_data.h"
#include "bench/models/regression_solvers.h"
#include "conformance/core/status.h"

namespace lepton::bench {

// The upper triangle of the augmented Gram matrix Z^T Z of `row_count` rows [x, 1, y] of width
// `stride` (features + 2), by one DSYRK. Gram matrices of row blocks add up to the whole one's,
// which is what the data-parallel solve all-reduces.
void AugmentedGram(const double* rows, std::int64_t row_count, int stride,
                   std::vector<double>& gram);

// The normal equations (X^T X) w = X^T y read from an augmented Gram matrix, solved by Cholesky
// (DPOSV); coefficients [w, b]. FailedPrecondition when X^T X is singular.
Result<std::vector<double>> SolveAugmentedGram(std::span<const double> gram, int features,
                                               bool intercept);

// Closed form: G = Z^T Z by one DSYRK over the augmented rows, then the normal equations
// (X^T X) w = X^T y solved by Cholesky (DPOSV). FailedPrecondition when X^T X is singular.
class NormalEquationsSolver {
 public:
  Result<std::vector<double>> Solve(const RegressionData& data, bool intercept);

 private:
  std::vector<double> gram_;  // reused across runs: no allocation inside the timed step
};

// Mini-batch SGD on 1/2 mean squared residual, from zero. Batches are contiguous blocks of rows
// whose order is shuffled each epoch with std::mt19937_64(seed + epoch).
class SgdSolver {
 public:
  Result<SgdResult> Solve(const RegressionData& data, const SgdSettings& settings);

 private:
  std::vector<double> residual_;
  std::vector<double> gradient_;
  std::vector<std::int64_t> batch_order_;
};

// Both solvers above behind the device-neutral interface the workload drives.
std::unique_ptr<RegressionSolvers> MakeCpuRegressionSolvers();

}  // namespace lepton::bench
