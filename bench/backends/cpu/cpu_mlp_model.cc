#include "bench/backends/cpu/cpu_mlp_model.h"

#include <dnnl.h>

#include <algorithm>
#include <string>

#include "bench/backends/cpu/mlp.h"
#include "bench/models/mlp_batches.h"

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

  Status BeginSplitEpoch(std::span<const std::int32_t> order, int batch_size) override {
    if (order.size() != labels_.size() || order.empty()) {
      return InvalidArgumentError("an epoch order of " + std::to_string(order.size()) +
                                  " items for a training set of " + std::to_string(labels_.size()));
    }
    if (batch_size < 1) {
      return InvalidArgumentError("global batches of " + std::to_string(batch_size) + " rows");
    }
    split_order_.assign(order.begin(), order.end());
    split_batch_size_ = batch_size;
    split_start_ = 0;
    return OkStatus();
  }

  // Each rank's rows gathered just before its gradients, as TrainEpoch's batches are.
  Status ComputeSliceGradients(int first, int rows) override {
    const auto count = static_cast<std::int64_t>(split_order_.size());
    if (split_start_ >= count) {
      return FailedPreconditionError("no global batch is left in the epoch (BeginSplitEpoch)");
    }
    const auto global =
        static_cast<int>(std::min<std::int64_t>(split_batch_size_, count - split_start_));
    if (first < 0 || rows < 0 || first + rows > global || rows > model_.max_batch()) {
      return InvalidArgumentError("rows [" + std::to_string(first) + ", " +
                                  std::to_string(first + rows) + ") of a global batch of " +
                                  std::to_string(global) + " (the model holds " +
                                  std::to_string(model_.max_batch()) + ")");
    }
    std::span<float> gradients = model_.mutable_gradients();
    if (rows == 0) {
      std::fill(gradients.begin(), gradients.end(), 0.0F);
    } else {
      GatherScaledRows(pixels_, labels_, model_.shape().inputs,
                       split_order_.data() + split_start_ + first, rows, batch_x_.data(),
                       batch_labels_.data());
      const Result<float> loss =
          model_.ComputeGradients(batch_x_.data(), batch_labels_.data(), rows);
      if (!loss) return loss.error();
      // The mean over the global batch: this rank's mean weighted by its share of the rows (a
      // share of 1 leaves the single-rank gradient untouched).
      if (rows != global) {
        const float share = static_cast<float>(rows) / static_cast<float>(global);
        for (float& g : gradients) g *= share;
      }
    }
    split_start_ += split_batch_size_;
    return OkStatus();
  }

  // ComputeSliceGradients computed them before it returned.
  Status WaitForGradients() override { return OkStatus(); }

  [[nodiscard]] float* gradients() override { return model_.mutable_gradients().data(); }

  Status ApplyAdam(const AdamSettings& adam) override {
    model_.AdamUpdate(adam);
    return OkStatus();
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
  std::vector<std::int32_t> split_order_;
  std::int64_t split_batch_size_ = 1;
  std::int64_t split_start_ = 0;  // the next global batch's first place in split_order_
  std::span<const float> resident_;
  std::vector<float> resident_logits_;
};

}  // namespace

std::unique_ptr<MlpModel> MakeCpuMlpModel(const MlpShape& shape, int max_batch) {
  return std::make_unique<CpuMlpModel>(shape, max_batch);
}

}  // namespace lepton::bench
