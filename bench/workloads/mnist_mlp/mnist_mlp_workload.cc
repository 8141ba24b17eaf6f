#include "bench/workloads/mnist_mlp/mnist_mlp_workload.h"

#include <algorithm>
#include <cmath>

#include "bench/backends/model_factories.h"
#include "bench/models/mlp_model.h"
#include "bench/workloads/mnist_mlp/mlp_data.h"
#include "conformance/onnx/executor.h"
#include "conformance/onnx/onnx_model.h"

namespace lepton::bench {
namespace {

class MnistMlpWorkload final : public Workload {
 public:
  Status Prepare(const WorkloadContext& context) override {
    const auto& params = context.params;
    LEPTON_ASSIGN_OR_RETURN(batch_size_, GetParam<std::int64_t>(params, "batch_size"));
    LEPTON_ASSIGN_OR_RETURN(epochs_, GetParam<std::int64_t>(params, "epochs"));
    LEPTON_ASSIGN_OR_RETURN(const std::int64_t seed, GetParam<std::int64_t>(params, "seed"));
    seed_ = static_cast<std::uint64_t>(seed);
    LEPTON_ASSIGN_OR_RETURN(target_, GetParam<double>(params, "quality_target.accuracy"));
    LEPTON_ASSIGN_OR_RETURN(adam_, ReadAdamSettings(context));

    LEPTON_ASSIGN_OR_RETURN(LoadedSplit train, LoadWorkloadSplit(context, "train"));
    LEPTON_ASSIGN_OR_RETURN(LoadedSplit test, LoadWorkloadSplit(context, "t10k"));
    LEPTON_ASSIGN_OR_RETURN(const MlpShape shape, CheckedMlpShape(context, train));
    train_ = std::move(train.images);
    test_ = std::move(test.images);
    train_count_in_files_ = train_.count;
    test_count_in_files_ = test_.count;
    if (params.contains("dataset.train_samples")) {
      KeepFirstImages(train_, std::get<std::int64_t>(params.at("dataset.train_samples")));
    }
    if (params.contains("dataset.test_samples")) {
      KeepFirstImages(test_, std::get<std::int64_t>(params.at("dataset.test_samples")));
    }
    LEPTON_ASSIGN_OR_RETURN(const std::string precision,
                            GetParam<std::string>(params, "precision"));
    MlpModelOptions options{
        context.device, shape,
        static_cast<int>(std::max<std::int64_t>(batch_size_, kEvaluationBatch))};
    LEPTON_ASSIGN_OR_RETURN(options.precision, ParseMlpPrecision(precision));
    LEPTON_ASSIGN_OR_RETURN(model_, MakeMlpModel(options));
    LEPTON_RETURN_IF_ERROR(model_->SetTrainingSet(train_.pixels, train_.labels));
    order_.resize(static_cast<std::size_t>(train_.count));
    eval_logits_.resize(static_cast<std::size_t>(kEvaluationBatch) * shape.outputs);
    return OkStatus();
  }

  // Exports the trained model as ONNX, checks it, runs it with the reference executor on the whole
  // test set and compares its logits and predictions with the native model's.
  Status ExportAndCompare(Metrics& metrics) {
    const MlpShape& shape = model_->shape();
    const MlpLayout layout(shape);
    LEPTON_ASSIGN_OR_RETURN(const std::vector<float> parameters, model_->Parameters());
    const std::span<const float> all(parameters);
    onnx::MlpExport request{
        shape.inputs,
        shape.hidden,
        shape.outputs,
        all.subspan(0, layout.b1),
        all.subspan(layout.b1, layout.w2 - layout.b1),
        all.subspan(layout.w2, layout.b2 - layout.w2),
        all.subspan(layout.b2),
        "lepton-cert",
        "reference MLP, seed " + std::to_string(seed_) + ", trained on " + model_->description()};
    LEPTON_ASSIGN_OR_RETURN(std::string bytes, onnx::ExportMlp(request));
    const Status checked = onnx::CheckModel(bytes, "model.onnx");
    metrics.values["onnx_checker_passed"] = checked.ok();
    metrics.artifacts["model.onnx"] = bytes;
    if (!checked.ok()) {
      metrics.not_measured["onnx_max_abs_diff"] = checked.message();
      metrics.not_measured["onnx_prediction_agreement"] = checked.message();
      metrics.not_measured["onnx_max_abs_logit_diff"] = checked.message();
      return OkStatus();
    }
    LEPTON_ASSIGN_OR_RETURN(onnx::Graph graph, onnx::ParseModel(bytes, "model.onnx"));
    LEPTON_ASSIGN_OR_RETURN(onnx::Executor executor, onnx::Executor::Create(std::move(graph)));
    double max_logit_difference = 0;
    double max_probability_difference = 0;
    std::int64_t agreeing = 0;
    const int inputs = shape.inputs;
    const int classes = shape.outputs;
    for (std::int64_t start = 0; start < test_.count; start += kEvaluationBatch) {
      const auto batch =
          static_cast<int>(std::min<std::int64_t>(kEvaluationBatch, test_.count - start));
      const std::uint8_t* pixels = test_.pixels.data() + static_cast<std::size_t>(start) * inputs;
      std::vector<float> x(static_cast<std::size_t>(batch) * inputs);
      for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(pixels[i]) / 255.0F;
      LEPTON_RETURN_IF_ERROR(model_->Forward(x.data(), batch, eval_logits_.data()));
      LEPTON_ASSIGN_OR_RETURN(auto outputs,
                              executor.Run({{"input", onnx::Tensor::Float({batch, inputs}, x)}}));
      const std::vector<float>& logits = outputs.at("logits").floats;
      const std::vector<float>& probabilities = outputs.at("probabilities").floats;
      for (int r = 0; r < batch; ++r) {
        const float* native = eval_logits_.data() + static_cast<std::size_t>(r) * classes;
        const float* exported = logits.data() + static_cast<std::size_t>(r) * classes;
        const float* exported_probability =
            probabilities.data() + static_cast<std::size_t>(r) * classes;
        const float max_logit = *std::max_element(native, native + classes);
        double sum = 0;
        for (int c = 0; c < classes; ++c)
          sum += std::exp(static_cast<double>(native[c] - max_logit));
        for (int c = 0; c < classes; ++c) {
          max_logit_difference =
              std::max(max_logit_difference,
                       std::abs(static_cast<double>(native[c]) - static_cast<double>(exported[c])));
          const double native_probability =
              std::exp(static_cast<double>(native[c] - max_logit)) / sum;
          max_probability_difference =
              std::max(max_probability_difference,
                       std::abs(native_probability - static_cast<double>(exported_probability[c])));
        }
        agreeing += (std::max_element(native, native + classes) - native) ==
                            (std::max_element(exported, exported + classes) - exported)
                        ? 1
                        : 0;
      }
    }
    metrics.values["onnx_max_abs_diff"] = max_probability_difference;
    metrics.values["onnx_max_abs_logit_diff"] = max_logit_difference;
    metrics.values["onnx_prediction_agreement"] =
        static_cast<double>(agreeing) / static_cast<double>(test_.count);
    return OkStatus();
  }

  [[nodiscard]] std::vector<std::string> StepNames() const override {
    std::vector<std::string> names;
    for (std::int64_t epoch = 1; epoch <= epochs_; ++epoch) {
      names.push_back("epoch_" + std::to_string(epoch));
    }
    return names;
  }

  Status BeginRun(int /*run_index*/) override {
    LEPTON_RETURN_IF_ERROR(model_->Initialize(seed_));
    accuracy_.clear();
    test_loss_.clear();
    train_loss_.clear();
    return OkStatus();
  }

  // One epoch in the order ShuffleEpochOrder gives, every batch (the last one short when the
  // count is not a multiple), on the profile's device. The order is drawn on the host on every
  // device, so CPU and GPU train on the same batches.
  Status RunStep(std::size_t step) override {
    ShuffleEpochOrder(seed_, step, order_);
    LEPTON_ASSIGN_OR_RETURN(const double loss,
                            model_->TrainEpoch(order_, static_cast<int>(batch_size_), adam_));
    train_loss_.push_back(loss);
    return OkStatus();
  }

  Status AfterStep(std::size_t /*step*/) override {
    LEPTON_ASSIGN_OR_RETURN(const TestSetScore score,
                            ScoreTestSet(*model_, test_, eval_x_, eval_logits_));
    accuracy_.push_back(score.accuracy);
    test_loss_.push_back(score.loss);
    return OkStatus();
  }

  [[nodiscard]] std::optional<double> SamplesPerRun() const override {
    return static_cast<double>(train_.count) * static_cast<double>(epochs_);
  }

  Result<Metrics> FinishRun(std::span<const double> step_seconds) override {
    Metrics metrics;
    double train_time = 0;
    for (double seconds : step_seconds) train_time += seconds;
    metrics.values["train_time_s"] = train_time;
    metrics.values["train_samples_per_second"] =
        static_cast<double>(train_.count) * static_cast<double>(epochs_) / train_time;
    metrics.values["final_accuracy"] = accuracy_.back();
    metrics.values["best_accuracy"] = *std::max_element(accuracy_.begin(), accuracy_.end());
    metrics.values["final_test_loss"] = test_loss_.back();
    metrics.values["final_train_loss"] = train_loss_.back();
    double elapsed = 0;
    std::optional<std::size_t> reached;
    for (std::size_t epoch = 0; epoch < accuracy_.size() && !reached; ++epoch) {
      elapsed += step_seconds[epoch];
      if (accuracy_[epoch] >= target_) reached = epoch;
    }
    metrics.values["reached_target"] = reached.has_value();
    if (reached) {
      metrics.values["time_to_accuracy_s"] = elapsed;
      metrics.values["epochs_to_target"] = static_cast<double>(*reached + 1);
    } else {
      const std::string reason = "test accuracy never reached " + spec::ValueToString(target_) +
                                 " in " + std::to_string(epochs_) + " epochs (best " +
                                 spec::ValueToString(metrics.values["best_accuracy"]) +
                                 "): a failed run, not a slow one";
      metrics.not_measured["time_to_accuracy_s"] = reason;
      metrics.not_measured["epochs_to_target"] = reason;
    }
    metrics.values["train_images_sha256"] = train_.images_sha256;
    metrics.values["train_labels_sha256"] = train_.labels_sha256;
    metrics.values["test_images_sha256"] = test_.images_sha256;
    metrics.values["test_labels_sha256"] = test_.labels_sha256;
    metrics.values["compute_device"] = model_->description();
    metrics.values["train_count"] = static_cast<double>(train_count_in_files_);
    metrics.values["test_count"] = static_cast<double>(test_count_in_files_);
    metrics.series["test_accuracy"] = accuracy_;
    metrics.series["test_loss"] = test_loss_;
    metrics.series["train_loss"] = train_loss_;
    metrics.series["epoch_seconds"] = std::vector<double>(step_seconds.begin(), step_seconds.end());
    LEPTON_RETURN_IF_ERROR(ExportAndCompare(metrics));
    return metrics;
  }

 private:
  checks::ImageSet train_;
  checks::ImageSet test_;
  std::int64_t train_count_in_files_ = 0;
  std::int64_t test_count_in_files_ = 0;
  std::int64_t batch_size_ = 64;
  std::int64_t epochs_ = 1;
  std::uint64_t seed_ = 0;
  double target_ = 1.0;
  AdamSettings adam_;
  std::unique_ptr<MlpModel> model_;
  std::vector<std::int32_t> order_;
  std::vector<float> eval_x_;
  std::vector<float> eval_logits_;
  std::vector<double> accuracy_;
  std::vector<double> test_loss_;
  std::vector<double> train_loss_;
};

}  // namespace

std::unique_ptr<Workload> MakeMnistMlpWorkload() { return std::make_unique<MnistMlpWorkload>(); }

}  // namespace lepton::bench
