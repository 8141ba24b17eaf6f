#include "bench/workloads/mnist_mlp/cpu_mlp_model.h"

#include <dnnl.h>

#include <algorithm>
#include <string>

#include "bench/workloads/mnist_mlp/mlp_data.h"

namespace lepton::bench {
namespace {

class CpuMlpModel final : public MlpModel {
 public:
  CpuMlpModel(const MlpShape& shape, int max_batch)
      : model_(shape, max_batch),
        batch_x_(static_cast<std::size_t>(max_batch) * shape.inputs),
        batch_labels_(static_cast<std::size_t>(max_batch)) {}

  [[nodiscard]] const MlpShape& shape() const override { return model_.shape(); }

  [[nodiscard]] std::string description() const override {
    const dnnl_version_t* version = dnnl_version();
    return "cpu: oneDNN " + std::to_string(version->major) + "." + std::to_string(version->minor) +
           "." + std::to_string(version->patch) + " dnnl_sgemm, fp32";
  }

  Status Initialize(std::uint64_t seed) override {
    model_.Initialize(seed);
    return OkStatus();
  }

  // The caller keeps the images alive while this model trains on them.
  Status SetTrainingSet(std::span<const std::uint8_t> pixels,
                        std::span<const std::uint8_t> labels) override {
    if (pixels.size() != labels.size() * static_cast<std::size_t>(model_.shape().inputs)) {
      return InvalidArgumentError("training set of " + std::to_string(pixels.size()) +
                                  " pixels for " + std::to_string(labels.size()) + " labels of " +
                                  std::to_string(model_.shape().inputs) + " inputs");
    }
    pixels_ = pixels;
    labels_ = labels;
    return OkStatus();
  }

  // Each batch gathered (pixels scaled to [0, 1]) just before its step.
  Result<double> TrainEpoch(std::span<const std::int32_t> order, int batch_size,
                            const AdamSettings& adam) override {
    if (order.size() != labels_.size() || order.empty()) {
      return std::unexpected(
          InvalidArgumentError("an epoch order of " + std::to_string(order.size()) +
                               " items for a training set of " + std::to_string(labels_.size())));
    }
    const auto count = static_cast<std::int64_t>(order.size());
    double loss_sum = 0;
    for (std::int64_t start = 0; start < count; start += batch_size) {
      const auto batch = static_cast<int>(std::min<std::int64_t>(batch_size, count - start));
      GatherScaledRows(pixels_, labels_, model_.shape().inputs, order.data() + start, batch,
                       batch_x_.data(), batch_labels_.data());
      LEPTON_ASSIGN_OR_RETURN(const float loss,
                              model_.TrainStep(batch_x_.data(), batch_labels_.data(), batch, adam));
      loss_sum += static_cast<double>(loss) * batch;
    }
    return loss_sum / static_cast<double>(count);
  }

  Status Forward(const float* x, int batch, float* logits) override {
    return model_.Forward(x, batch, logits);
  }

  Result<std::vector<float>> Parameters() override {
    return std::vector<float>(model_.parameters().begin(), model_.parameters().end());
  }

  Status SetResidentInputs(std::span<const float> x) override {
    resident_ = x;
    resident_logits_.resize(static_cast<std::size_t>(model_.max_batch()) * model_.shape().outputs);
    return OkStatus();
  }

  Status ForwardResident(int first, int batch) override {
    const auto inputs = static_cast<std::size_t>(model_.shape().inputs);
    if (first < 0 || batch < 1 ||
        (static_cast<std::size_t>(first) + static_cast<std::size_t>(batch)) * inputs >
            resident_.size()) {
      return InvalidArgumentError("rows [" + std::to_string(first) + ", " +
                                  std::to_string(first + batch) + ") of " +
                                  std::to_string(resident_.size() / inputs) + " resident rows");
    }
    return model_.Forward(resident_.data() + static_cast<std::size_t>(first) * inputs, batch,
                          resident_logits_.data());
  }

  [[nodiscard]] Result<double> PeakFp32Flops() const override {
    return std::unexpected(UnavailableError(
        "the CPU's fp32 peak is the cpu-gemm workload's cpu_peak_sgemm_gflops; this MLP's "
        "inference is not compared with it"));
  }

 private:
  Mlp model_;
  std::span<const std::uint8_t> pixels_;
  std::span<const std::uint8_t> labels_;
  std::vector<float> batch_x_;
  std::vector<std::uint8_t> batch_labels_;
  std::span<const float> resident_;
  std::vector<float> resident_logits_;
};

}  // namespace

std::unique_ptr<MlpModel> MakeCpuMlpModel(const MlpShape& shape, int max_batch) {
  return std::make_unique<CpuMlpModel>(shape, max_batch);
}

}  // namespace lepton::bench
