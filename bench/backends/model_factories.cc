#include "bench/backends/model_factories.h"

#include <string>
#include <utility>
#include <vector>

#include "bench/backends/cpu/cpu_mlp_model.h"
#include "bench/backends/cpu/cpu_regression.h"
#include "bench/backends/cuda_backend.h"

namespace lepton::bench {
namespace {

// The GPU computes the Gram matrix and runs SGD; the small normal equations are solved on the
// host by the CPU backend's DPOSV, exactly as the CPU solves them.
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

Result<std::unique_ptr<MlpModel>> MakeMlpModel(const MlpModelOptions& options) {
  if (options.max_batch < 1) {
    return std::unexpected(
        InvalidArgumentError("a model holding " + std::to_string(options.max_batch) + " rows"));
  }
  if (options.device == "cpu") {
    if (options.precision != MlpPrecision::kFp32) {
      return std::unexpected(UnavailableError(
          "tf32 is a CUDA tensor-core mode; the CPU backend computes in fp32 only"));
    }
    return MakeCpuMlpModel(options.shape, options.max_batch);
  }
  if (options.device == "cuda") {
    LEPTON_ASSIGN_OR_RETURN(CudaBackend * backend, LoadCudaBackend());
    return backend->MakeMlp(options);
  }
  return std::unexpected(
      InvalidArgumentError("device '" + options.device + "' (expected cpu or cuda)"));
}

Result<std::unique_ptr<RegressionSolvers>> MakeRegressionSolvers(std::string_view device) {
  if (device == "cpu") return MakeCpuRegressionSolvers();
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
