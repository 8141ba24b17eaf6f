#include "bench/backends/cuda/cuda_mlp_model.h"

#include <string>

#include "bench/backends/cuda/cuda_device_status.h"
#include "bench/backends/cuda/cuda_mlp_engine.h"
#include "bench/models/mlp_parameters.h"

namespace lepton::bench {
namespace {

class CudaMlpModel final : public MlpModel {
 public:
  CudaMlpModel(const MlpShape& shape, std::unique_ptr<cuda::MlpEngine> engine)
      : shape_(shape),
        count_(static_cast<std::int64_t>(MlpLayout(shape).count)),
        engine_(std::move(engine)),
        device_(DeviceName(engine_->description())) {}

  [[nodiscard]] const MlpShape& shape() const override { return shape_; }
  [[nodiscard]] std::string description() const override { return engine_->description(); }

  Status Initialize(std::uint64_t seed) override {
    const std::vector<float> params = InitialMlpParameters(shape_, seed);
    return OnDevice(engine_->SetParameters(params.data(), count_));
  }

  Status SetTrainingSet(std::span<const std::uint8_t> pixels,
                        std::span<const std::uint8_t> labels) override {
    if (pixels.size() != labels.size() * static_cast<std::size_t>(shape_.inputs)) {
      return InvalidArgumentError("training set of " + std::to_string(pixels.size()) +
                                  " pixels for " + std::to_string(labels.size()) + " labels of " +
                                  std::to_string(shape_.inputs) + " inputs");
    }
    return OnDevice(engine_->SetTrainingSet(pixels.data(), labels.data(),
                                            static_cast<std::int64_t>(labels.size())));
  }

  Result<double> TrainEpoch(std::span<const std::int32_t> order, int batch_size,
                            const AdamSettings& adam) override {
    double mean_loss = 0;
    LEPTON_RETURN_IF_ERROR(OnDevice(engine_->TrainEpoch(
        order.data(), static_cast<std::int64_t>(order.size()), batch_size,
        cuda::AdamScalars{adam.learning_rate, adam.beta1, adam.beta2, adam.epsilon}, mean_loss)));
    return mean_loss;
  }

  Status BeginSplitEpoch(std::span<const std::int32_t> order, int batch_size) override {
    return OnDevice(engine_->BeginSplitEpoch(order.data(), static_cast<std::int64_t>(order.size()),
                                             batch_size));
  }

  Status ComputeSliceGradients(int first, int rows) override {
    return OnDevice(engine_->ComputeSliceGradients(first, rows));
  }

  Status WaitForGradients() override { return OnDevice(engine_->WaitForGradients()); }

  [[nodiscard]] float* gradients() override { return engine_->gradients(); }

  Status ApplyAdam(const AdamSettings& adam) override {
    return OnDevice(engine_->ApplyAdam(
        cuda::AdamScalars{adam.learning_rate, adam.beta1, adam.beta2, adam.epsilon}));
  }

  Status Forward(const float* x, int batch, float* logits) override {
    return OnDevice(engine_->Forward(x, batch, logits));
  }

  Status SetResidentInputs(std::span<const float> x) override {
    return OnDevice(
        engine_->SetResidentInputs(x.data(), static_cast<std::int64_t>(x.size()) / shape_.inputs));
  }

  Status ForwardResident(int first, int batch) override {
    return OnDevice(engine_->ForwardResident(first, batch));
  }

  [[nodiscard]] Result<double> PeakFp32Flops() const override {
    std::string why;
    const double peak = engine_->PeakFp32Flops(why);
    if (peak <= 0) return std::unexpected(UnavailableError(why));
    return peak;
  }

  Result<std::vector<float>> Parameters() override {
    std::vector<float> params(static_cast<std::size_t>(count_));
    LEPTON_RETURN_IF_ERROR(OnDevice(engine_->GetParameters(params.data(), count_)));
    return params;
  }

 private:
  [[nodiscard]] Status OnDevice(const cuda::DeviceStatus& status) const {
    return ToStatus(status).WithContext(device_);
  }

  MlpShape shape_;
  std::int64_t count_;
  std::unique_ptr<cuda::MlpEngine> engine_;
  std::string device_;  // "cuda:0", the context of every error
};

}  // namespace

Result<std::unique_ptr<MlpModel>> MakeCudaMlpModel(const MlpModelOptions& options,
                                                   cuda::DeviceWatch& watch) {
  const MlpShape& shape = options.shape;
  cuda::MlpEngineOptions engine_options;
  engine_options.dims = cuda::MlpDims{shape.inputs, shape.hidden, shape.outputs};
  engine_options.max_batch = options.max_batch;
  engine_options.tf32 = options.precision == MlpPrecision::kTf32;
  engine_options.device = options.cuda_device;
  std::unique_ptr<cuda::MlpEngine> engine;
  LEPTON_RETURN_IF_ERROR(ToStatus(cuda::MlpEngine::Create(engine_options, watch, engine)));
  return std::make_unique<CudaMlpModel>(shape, std::move(engine));
}

}  // namespace lepton::bench
