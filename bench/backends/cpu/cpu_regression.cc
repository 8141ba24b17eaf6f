#include "bench/backends/cpu/cpu_regression.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "bench/models/block_order.h"

extern "C" void dposv_(const char* uplo, const int* n, const int* nrhs, double* a, const int* lda,
                       double* b, const int* ldb, int* info);

namespace lepton::bench {

void AugmentedGram(const double* rows, std::int64_t row_count, int stride,
                   std::vector<double>& gram) {
  gram.resize(static_cast<std::size_t>(stride) * stride);
  // Row-major Z (n x k): Z^T Z into the upper triangle of gram (k x k).
  cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, stride, static_cast<int>(row_count), 1.0, rows,
              stride, 0.0, gram.data(), stride);
}

Result<std::vector<double>> SolveAugmentedGram(std::span<const double> gram, int features,
                                               bool intercept) {
  const int k = features + 2;
  const int d = features;
  // Unknowns: w (d), plus b when fitting an intercept. Column d of Z is the constant 1, column
  // d + 1 is y; the upper triangle holds every entry needed.
  const int p = intercept ? d + 1 : d;
  std::vector<double> a(static_cast<std::size_t>(p) * p);
  std::vector<double> rhs(static_cast<std::size_t>(p));
  for (int i = 0; i < p; ++i) {
    for (int j = i; j < p; ++j) a[static_cast<std::size_t>(i) * p + j] = gram[i * k + j];
    rhs[i] = gram[i * k + (k - 1)];
  }
  // The row-major upper triangle is the column-major lower triangle of the same matrix.
  const char uplo = 'L';
  const int nrhs = 1;
  int info = 0;
  dposv_(&uplo, &p, &nrhs, a.data(), &p, rhs.data(), &p, &info);
  if (info > 0) {
    return std::unexpected(FailedPreconditionError("X^T X is not positive definite (DPOSV info " +
                                                   std::to_string(info) +
                                                   "): the features are linearly dependent"));
  }
  if (info < 0) {
    return std::unexpected(InternalError("DPOSV argument " + std::to_string(-info) + " invalid"));
  }
  std::vector<double> coefficients(static_cast<std::size_t>(d) + 1, 0.0);
  std::copy(rhs.begin(), rhs.end(), coefficients.begin());
  return coefficients;
}

Result<std::vector<double>> NormalEquationsSolver::Solve(const RegressionData& data,
                                                         bool intercept) {
  AugmentedGram(data.train.data(), data.train_rows, data.stride(), gram_);
  return SolveAugmentedGram(gram_, data.features, intercept);
}

Result<SgdResult> SgdSolver::Solve(const RegressionData& data, const SgdSettings& settings) {
  const int k = data.stride();
  const int d = data.features;
  const std::int64_t batch = std::min(settings.batch_size, data.train_rows);
  const std::int64_t batches = data.train_rows / batch;  // a ragged last block is dropped
  std::vector<double> w(static_cast<std::size_t>(d), 0.0);
  double b = 0;
  residual_.resize(static_cast<std::size_t>(batch));
  gradient_.resize(static_cast<std::size_t>(d));
  batch_order_.resize(static_cast<std::size_t>(batches));
  double last_epoch_sum_squares = 0;
  for (std::int64_t epoch = 0; epoch < settings.epochs; ++epoch) {
    ShuffleBlockOrder(settings.seed, epoch, batch_order_);
    last_epoch_sum_squares = 0;
    for (const std::int64_t block : batch_order_) {
      const double* rows = data.train.data() + block * batch * k;
      // r = X_b w + b - y_b
      cblas_dgemv(CblasRowMajor, CblasNoTrans, static_cast<int>(batch), d, 1.0, rows, k, w.data(),
                  1, 0.0, residual_.data(), 1);
      double residual_sum = 0;
      for (std::int64_t i = 0; i < batch; ++i) {
        residual_[i] += b - rows[i * k + k - 1];
        residual_sum += residual_[i];
        last_epoch_sum_squares += residual_[i] * residual_[i];
      }
      // w -= lr / B * X_b^T r ; b -= lr / B * sum(r)
      const double step = settings.learning_rate / static_cast<double>(batch);
      cblas_dgemv(CblasRowMajor, CblasTrans, static_cast<int>(batch), d, -step, rows, k,
                  residual_.data(), 1, 1.0, w.data(), 1);
      if (settings.intercept) b -= step * residual_sum;
    }
    if (!std::isfinite(b) || !std::isfinite(w[0])) {
      return std::unexpected(FailedPreconditionError(
          "SGD diverged in epoch " + std::to_string(epoch + 1) + " (learning rate " +
          std::to_string(settings.learning_rate) + " too large for this data)"));
    }
  }
  SgdResult result;
  result.coefficients = std::move(w);
  result.coefficients.push_back(b);
  result.final_epoch_train_mse = last_epoch_sum_squares / static_cast<double>(batches * batch);
  return result;
}

namespace {

class CpuSolvers final : public RegressionSolvers {
 public:
  [[nodiscard]] std::string description() const override {
    return std::string("cpu: ") + openblas_get_config() + " (" + openblas_get_corename() +
           " kernels), LAPACK DPOSV, fp64";
  }
  Status SetData(const RegressionData& data) override {
    data_ = &data;
    return OkStatus();
  }
  Result<std::vector<double>> SolveClosedForm(bool intercept) override {
    return normal_equations_.Solve(*data_, intercept);
  }
  Result<SgdResult> SolveSgd(const SgdSettings& settings) override {
    return sgd_.Solve(*data_, settings);
  }

 private:
  const RegressionData* data_ = nullptr;
  NormalEquationsSolver normal_equations_;
  SgdSolver sgd_;
};

}  // namespace

std::unique_ptr<RegressionSolvers> MakeCpuRegressionSolvers() {
  return std::make_unique<CpuSolvers>();
}

}  // namespace lepton::bench
