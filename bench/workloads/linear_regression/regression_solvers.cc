#include "bench/workloads/linear_regression/regression_solvers.h"

#include <cblas.h>

#include "bench/backends/cuda_backend.h"

namespace lepton::bench {
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

class CudaSolvers final : public RegressionSolvers {
 public:
  explicit CudaSolvers(std::unique_ptr<DeviceRegression> device) : device_(std::move(device)) {}
  [[nodiscard]] std::string description() const override {
    return device_->description() + " (normal equations solved on the host by LAPACK DPOSV)";
  }
  Status SetData(const RegressionData& data) override {
    features_ = data.features;
    return device_->SetRows(data.train, data.stride());
  }
  Result<std::vector<double>> SolveClosedForm(bool intercept) override {
    LEPTON_ASSIGN_OR_RETURN(const std::vector<double> gram, device_->AugmentedGram());
    return SolveAugmentedGram(gram, features_, intercept);
  }
  Result<SgdResult> SolveSgd(const SgdSettings& settings) override {
    return device_->Sgd(settings);
  }

 private:
  std::unique_ptr<DeviceRegression> device_;
  int features_ = 0;
};

}  // namespace

Result<std::unique_ptr<RegressionSolvers>> MakeRegressionSolvers(std::string_view device) {
  if (device == "cpu") return std::make_unique<CpuSolvers>();
  if (device == "cuda") {
    LEPTON_ASSIGN_OR_RETURN(CudaBackend * backend, LoadCudaBackend());
    LEPTON_ASSIGN_OR_RETURN(std::unique_ptr<DeviceRegression> regression,
                            backend->MakeRegression());
    return std::make_unique<CudaSolvers>(std::move(regression));
  }
  return std::unexpected(
      InvalidArgumentError("device '" + std::string(device) + "' (expected cpu or cuda)"));
}

}  // namespace lepton::bench
