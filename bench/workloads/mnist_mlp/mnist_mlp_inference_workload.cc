#include "bench/workloads/mnist_mlp/mnist_mlp_inference_workload.h"

#include <algorithm>

#include "bench/backends/model_factories.h"
#include "bench/models/mlp_model.h"
#include "bench/workloads/mnist_mlp/mlp_data.h"
#include "conformance/core/statistics.h"

namespace lepton::bench {
namespace {

class MnistMlpInferenceWorkload final : public Workload {
 public:
  Status Prepare(const WorkloadContext& context) override {
    const auto& params = context.params;
    LEPTON_ASSIGN_OR_RETURN(const std::int64_t seed, GetParam<std::int64_t>(params, "seed"));
    LEPTON_ASSIGN_OR_RETURN(small_batch_, GetParam<std::int64_t>(params, "inference.small_batch"));
    LEPTON_ASSIGN_OR_RETURN(small_requests_,
                            GetParam<std::int64_t>(params, "inference.small_batch_requests"));
    LEPTON_ASSIGN_OR_RETURN(large_batch_, GetParam<std::int64_t>(params, "inference.large_batch"));
    LEPTON_ASSIGN_OR_RETURN(large_requests_,
                            GetParam<std::int64_t>(params, "inference.large_batch_requests"));
    LEPTON_ASSIGN_OR_RETURN(const LoadedSplit split, LoadWorkloadSplit(context, "t10k"));
    LEPTON_ASSIGN_OR_RETURN(const MlpShape shape, CheckedMlpShape(context, split));
    const checks::ImageSet& test = split.images;
    // Requests cycle through the test images, converted once here, outside the timed steps.
    images_ = test.count;
    pixels_.resize(test.pixels.size());
    std::transform(test.pixels.begin(), test.pixels.end(), pixels_.begin(),
                   [](std::uint8_t p) { return static_cast<float>(p) / 255.0F; });
    const std::int64_t largest = std::max(small_batch_, large_batch_);
    if (largest > images_) {
      return InvalidArgumentError("a batch of " + std::to_string(largest) + " exceeds the " +
                                  std::to_string(images_) + " test images");
    }
    LEPTON_ASSIGN_OR_RETURN(const std::string precision,
                            GetParam<std::string>(params, "precision"));
    MlpModelOptions options{context.device, shape, static_cast<int>(largest)};
    LEPTON_ASSIGN_OR_RETURN(options.precision, ParseMlpPrecision(precision));
    LEPTON_ASSIGN_OR_RETURN(model_, MakeMlpModel(options));
    LEPTON_RETURN_IF_ERROR(model_->Initialize(static_cast<std::uint64_t>(seed)));
    logits_.resize(static_cast<std::size_t>(largest) * shape.outputs);
    LEPTON_RETURN_IF_ERROR(model_->SetResidentInputs(pixels_));
    return OkStatus();
  }

  [[nodiscard]] std::vector<std::string> StepNames() const override {
    std::vector<std::string> names;
    for (std::int64_t i = 0; i < small_requests_; ++i)
      names.push_back("small_" + std::to_string(i));
    for (std::int64_t i = 0; i < large_requests_; ++i)
      names.push_back("large_" + std::to_string(i));
    for (std::int64_t i = 0; i < large_requests_; ++i)
      names.push_back("resident_" + std::to_string(i));
    return names;
  }

  Status BeginRun(int /*run_index*/) override { return OkStatus(); }

  // Small and large requests carry their images from host memory and their logits back, as a
  // server's would; resident requests (large batches) find their images on the device and leave
  // the logits there, cycling through the test set in whole blocks.
  Status RunStep(std::size_t step) override {
    const auto index = static_cast<std::int64_t>(step);
    if (index >= small_requests_ + large_requests_) {
      const std::int64_t blocks = images_ / large_batch_;
      const std::int64_t request = index - small_requests_ - large_requests_;
      return model_->ForwardResident(static_cast<int>((request % blocks) * large_batch_),
                                     static_cast<int>(large_batch_));
    }
    const bool small = index < small_requests_;
    const std::int64_t batch = small ? small_batch_ : large_batch_;
    const std::int64_t first = (static_cast<std::int64_t>(step) * batch) % (images_ - batch + 1);
    const float* x = pixels_.data() + first * model_->shape().inputs;
    return model_->Forward(x, static_cast<int>(batch), logits_.data());
  }

  [[nodiscard]] std::optional<double> SamplesPerRun() const override {
    return static_cast<double>(small_batch_ * small_requests_ + 2 * large_batch_ * large_requests_);
  }

  Result<Metrics> FinishRun(std::span<const double> step_seconds) override {
    const auto small = step_seconds.first(static_cast<std::size_t>(small_requests_));
    const auto large = step_seconds.subspan(static_cast<std::size_t>(small_requests_),
                                            static_cast<std::size_t>(large_requests_));
    const auto resident =
        step_seconds.subspan(static_cast<std::size_t>(small_requests_ + large_requests_));
    Metrics metrics;
    metrics.values["compute_device"] = model_->description();
    LEPTON_RETURN_IF_ERROR(Summarise(metrics, "small_batch", small, small_batch_));
    LEPTON_RETURN_IF_ERROR(Summarise(metrics, "large_batch", large, large_batch_));
    double resident_seconds = 0;
    for (double s : resident) resident_seconds += s;
    const double resident_rate =
        static_cast<double>(large_batch_) * static_cast<double>(resident.size()) / resident_seconds;
    metrics.values["resident_images_per_second"] = resident_rate;
    // The two GEMMs' multiply-adds; the bias, ReLU and bias adds are under 0.1% of them.
    const MlpShape& shape = model_->shape();
    const double flops_per_image = 2.0 * (static_cast<double>(shape.inputs) * shape.hidden +
                                          static_cast<double>(shape.hidden) * shape.outputs);
    metrics.values["resident_gflops"] = resident_rate * flops_per_image / 1e9;
    if (const Result<double> peak = model_->PeakFp32Flops(); peak.has_value()) {
      metrics.values["device_fp32_peak_gflops"] = *peak / 1e9;
      metrics.values["resident_fp32_peak_fraction"] = resident_rate * flops_per_image / *peak;
    } else {
      metrics.not_measured["device_fp32_peak_gflops"] = peak.error().message();
      metrics.not_measured["resident_fp32_peak_fraction"] = peak.error().message();
    }
    return metrics;
  }

 private:
  static Status Summarise(Metrics& metrics, const std::string& prefix,
                          std::span<const double> seconds, std::int64_t batch) {
    std::vector<double> milliseconds;
    double total = 0;
    for (double s : seconds) {
      milliseconds.push_back(s * 1000.0);
      total += s;
    }
    LEPTON_ASSIGN_OR_RETURN(metrics.values[prefix + "_latency_p50_ms"],
                            stats::Percentile(milliseconds, 0.50));
    LEPTON_ASSIGN_OR_RETURN(metrics.values[prefix + "_latency_p90_ms"],
                            stats::Percentile(milliseconds, 0.90));
    LEPTON_ASSIGN_OR_RETURN(metrics.values[prefix + "_latency_p99_ms"],
                            stats::Percentile(milliseconds, 0.99));
    metrics.values[prefix + "_images_per_second"] =
        static_cast<double>(batch) * static_cast<double>(seconds.size()) / total;
    return OkStatus();
  }

  std::int64_t small_batch_ = 1;
  std::int64_t small_requests_ = 0;
  std::int64_t large_batch_ = 1000;
  std::int64_t large_requests_ = 0;
  std::int64_t images_ = 0;
  std::vector<float> pixels_;
  std::vector<float> logits_;
  std::unique_ptr<MlpModel> model_;
};

}  // namespace

std::unique_ptr<Workload> MakeMnistMlpInferenceWorkload() {
  return std::make_unique<MnistMlpInferenceWorkload>();
}

}  // namespace lepton::bench
