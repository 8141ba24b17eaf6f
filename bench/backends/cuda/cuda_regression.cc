#include "bench/backends/cuda/cuda_regression.h"

#include <algorithm>
#include <string>

#include "bench/backends/cuda/cuda_device_status.h"
#include "bench/backends/cuda/cuda_regression_engine.h"
#include "bench/models/block_order.h"

namespace lepton::bench {
namespace {

class CudaRegression final : public DeviceRegression {
 public:
  explicit CudaRegression(std::unique_ptr<cuda::RegressionEngine> engine)
      : engine_(std::move(engine)), device_(DeviceName(engine_->description())) {}

  [[nodiscard]] std::string description() const override { return engine_->description(); }

  Status SetRows(std::span<const double> rows, int stride) override {
    if (stride < 2 || rows.size() % static_cast<std::size_t>(stride) != 0) {
      return InvalidArgumentError(std::to_string(rows.size()) + " values are not rows of " +
                                  std::to_string(stride));
    }
    row_count_ = static_cast<std::int64_t>(rows.size()) / stride;
    return OnDevice(engine_->SetRows(rows.data(), row_count_, stride));
  }

  Result<std::vector<double>> AugmentedGram() override {
    std::vector<double> gram;
    LEPTON_RETURN_IF_ERROR(OnDevice(engine_->AugmentedGram(gram)));
    return gram;
  }

  Result<SgdResult> Sgd(const SgdSettings& settings) override {
    cuda::SgdRun run;
    run.batch = std::min(settings.batch_size, row_count_);
    run.epochs = settings.epochs;
    run.learning_rate = settings.learning_rate;
    run.fit_intercept = settings.intercept;
    const std::int64_t batches = run.batch > 0 ? row_count_ / run.batch : 0;
    for (std::int64_t epoch = 0; epoch < settings.epochs; ++epoch) {
      std::vector<std::int64_t> order(static_cast<std::size_t>(batches));
      ShuffleBlockOrder(settings.seed, epoch, order);
      run.block_orders.push_back(std::move(order));
    }
    cuda::SgdOutcome outcome;
    LEPTON_RETURN_IF_ERROR(OnDevice(engine_->Sgd(run, outcome)));
    if (outcome.diverged_in_epoch > 0) {
      return std::unexpected(FailedPreconditionError(
          "SGD diverged in epoch " + std::to_string(outcome.diverged_in_epoch) +
          " (learning rate " + std::to_string(settings.learning_rate) +
          " too large for this data)"));
    }
    SgdResult result;
    result.coefficients = std::move(outcome.weights);
    result.coefficients.push_back(outcome.intercept);
    result.final_epoch_train_mse =
        outcome.last_epoch_sum_squares / static_cast<double>(batches * run.batch);
    return result;
  }

 private:
  [[nodiscard]] Status OnDevice(const cuda::DeviceStatus& status) const {
    return ToStatus(status).WithContext(device_);
  }

  std::unique_ptr<cuda::RegressionEngine> engine_;
  std::string device_;  // "cuda:0", the context of every error
  std::int64_t row_count_ = 0;
};

}  // namespace

Result<std::unique_ptr<DeviceRegression>> MakeCudaRegression(cuda::DeviceWatch& watch) {
  std::unique_ptr<cuda::RegressionEngine> engine;
  LEPTON_RETURN_IF_ERROR(ToStatus(cuda::RegressionEngine::Create(watch, engine)));
  return std::make_unique<CudaRegression>(std::move(engine));
}

}  // namespace lepton::bench
