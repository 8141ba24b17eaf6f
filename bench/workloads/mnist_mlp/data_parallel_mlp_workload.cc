#include "bench/workloads/mnist_mlp/data_parallel_mlp_workload.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <tuple>

#include "bench/workloads/mnist_mlp/mlp_data.h"
#include "bench/workloads/mnist_mlp/mlp_model.h"
#include "bench/workloads/mnist_mlp/mlp_parameters.h"

namespace lepton::bench {
namespace {

constexpr std::size_t kSingleRankStep = 0;
constexpr std::size_t kDataParallelStep = 1;
// max_i |a_i - b_i| / max_i |b_i|: relative to the largest reference weight, since weights near
// zero make element-wise ratios meaningless.
double MaxRelativeDifference(std::span<const float> a, std::span<const float> b) {
  double difference = 0;
  double scale = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    difference = std::max(difference, std::abs(static_cast<double>(a[i]) - b[i]));
    scale = std::max(scale, std::abs(static_cast<double>(b[i])));
  }
  return scale > 0 ? difference / scale : difference;
}

// ||a - b|| / ||b|| (Euclidean, over every weight and bias).
double RelativeL2Difference(std::span<const float> a, std::span<const float> b) {
  double difference = 0;
  double norm = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double d = static_cast<double>(a[i]) - b[i];
    difference += d * d;
    norm += static_cast<double>(b[i]) * b[i];
  }
  return norm > 0 ? std::sqrt(difference / norm) : std::sqrt(difference);
}

class DataParallelMlpWorkload final : public Workload {
 public:
  Status Prepare(const WorkloadContext& context) override {
    if (context.communicator == nullptr) return InternalError("no communicator in the context");
    communicator_ = context.communicator;
    gradient_communicator_ = communicator_;
    MlpModelOptions options;
    options.device = context.device;
    if (context.device == "cuda") LEPTON_RETURN_IF_ERROR(UseDevice(context, options));
    const auto& params = context.params;
    LEPTON_ASSIGN_OR_RETURN(batch_size_, GetParam<std::int64_t>(params, "batch_size"));
    LEPTON_ASSIGN_OR_RETURN(epochs_, GetParam<std::int64_t>(params, "epochs"));
    LEPTON_ASSIGN_OR_RETURN(const std::int64_t seed, GetParam<std::int64_t>(params, "seed"));
    seed_ = static_cast<std::uint64_t>(seed);
    LEPTON_ASSIGN_OR_RETURN(adam_, ReadAdamSettings(context));
    LEPTON_ASSIGN_OR_RETURN(const std::string precision,
                            GetParam<std::string>(params, "precision"));
    LEPTON_ASSIGN_OR_RETURN(options.precision, ParseMlpPrecision(precision));
    const int ranks = communicator_->size();
    if (ranks > batch_size_) {
      return UnavailableError("a global batch of " + std::to_string(batch_size_) +
                              " rows cannot be split over " + std::to_string(ranks) + " ranks");
    }
    LEPTON_ASSIGN_OR_RETURN(LoadedSplit train, LoadWorkloadSplit(context, "train"));
    LEPTON_ASSIGN_OR_RETURN(LoadedSplit test, LoadWorkloadSplit(context, "t10k"));
    LEPTON_ASSIGN_OR_RETURN(options.shape, CheckedMlpShape(context, train));
    train_ = std::move(train.images);
    test_ = std::move(test.images);
    if (params.contains("dataset.train_samples")) {
      KeepFirstImages(train_, std::get<std::int64_t>(params.at("dataset.train_samples")));
    }
    if (params.contains("dataset.test_samples")) {
      KeepFirstImages(test_, std::get<std::int64_t>(params.at("dataset.test_samples")));
    }
    options.max_batch = static_cast<int>(std::max<std::int64_t>(batch_size_, kEvaluationBatch));
    LEPTON_ASSIGN_OR_RETURN(model_, MakeMlpModel(options));
    if (communicator_->rank() == 0) {
      LEPTON_ASSIGN_OR_RETURN(reference_, MakeMlpModel(options));
    }
    order_.resize(static_cast<std::size_t>(train_.count));
    for (std::size_t i = 0; i < order_.size(); ++i) order_[i] = static_cast<std::int32_t>(i);
    // Untimed: the training set onto the device, and one step of each model's batch shape, so
    // that neither timed step pays for oneDNN's kernel generation or CUDA's graph capture. The
    // models start from the seed again in BeginRun.
    const auto global = static_cast<int>(std::min(batch_size_, train_.count));
    const int rank = communicator_->rank();
    const int first = global * rank / ranks;
    const int share = global * (rank + 1) / ranks - first;
    for (const auto& [model, rows, from] :
         {std::tuple{model_.get(), share, first}, std::tuple{reference_.get(), global, 0}}) {
      if (model == nullptr) continue;
      LEPTON_RETURN_IF_ERROR(model->Initialize(seed_));
      LEPTON_RETURN_IF_ERROR(model->SetTrainingSet(train_.pixels, train_.labels));
      LEPTON_RETURN_IF_ERROR(model->BeginSplitEpoch(order_, static_cast<int>(batch_size_)));
      LEPTON_RETURN_IF_ERROR(model->ComputeSliceGradients(from, rows));
      LEPTON_RETURN_IF_ERROR(model->ApplyAdam(adam_));
      // Read back, so that the device has finished the step too.
      LEPTON_ASSIGN_OR_RETURN(const std::vector<float> warmed, model->Parameters());
    }
    description_ = model_->description();
    return communicator_->Barrier();
  }

  [[nodiscard]] std::vector<std::string> StepNames() const override {
    return {"single_rank_train", "data_parallel_train"};
  }

  // Both models start from the seed here, outside the timed steps, as the single-rank workload's
  // model does.
  Status BeginRun(int /*run_index*/) override {
    LEPTON_RETURN_IF_ERROR(model_->Initialize(seed_));
    if (reference_) LEPTON_RETURN_IF_ERROR(reference_->Initialize(seed_));
    reference_after_.clear();
    parallel_after_.clear();
    return OkStatus();
  }

  Status RunStep(std::size_t step) override {
    if (step == kSingleRankStep) {
      if (communicator_->rank() != 0) return OkStatus();
      return Train(*reference_, /*parallel=*/false, reference_after_);
    }
    return Train(*model_, /*parallel=*/true, parallel_after_);
  }

  Status AfterStep(std::size_t step) override {
    if (step == kSingleRankStep) {
      if (communicator_->rank() == 0) {
        LEPTON_ASSIGN_OR_RETURN(const TestSetScore score,
                                ScoreTestSet(*reference_, test_, eval_x_, eval_logits_));
        reference_accuracy_ = score.accuracy;
      }
      // The other ranks wait here, sleeping, while rank 0 trains alone.
      return communicator_->Barrier();
    }
    // Every rank holds the same weights; rank 0's evaluation is the run's.
    if (communicator_->rank() == 0) {
      LEPTON_ASSIGN_OR_RETURN(const TestSetScore score,
                              ScoreTestSet(*model_, test_, eval_x_, eval_logits_));
      parallel_accuracy_ = score.accuracy;
    }
    return OkStatus();
  }

  [[nodiscard]] std::optional<double> SamplesPerRun() const override {
    return static_cast<double>(train_.count) * static_cast<double>(epochs_);
  }

  Result<Metrics> FinishRun(std::span<const double> step_seconds) override {
    const int ranks = communicator_->size();
    // Rank 0's single-rank time (the others report none) and the slowest data-parallel rank.
    std::vector<double> seconds = {communicator_->rank() == 0 ? step_seconds[kSingleRankStep] : 0.0,
                                   step_seconds[kDataParallelStep]};
    LEPTON_RETURN_IF_ERROR(communicator_->AllReduce(seconds.data(), seconds.data(), seconds.size(),
                                                    DataType::kFloat64, ReduceOp::kMax));
    Metrics metrics;
    if (communicator_->rank() != 0) return metrics;  // only rank 0's metrics are the run's
    const double samples = static_cast<double>(train_.count) * static_cast<double>(epochs_);
    metrics.values["ranks"] = static_cast<double>(ranks);
    metrics.values["compute_device"] = description_;
    metrics.values["gradient_communicator"] = std::string(gradient_communicator_->name());
    metrics.values["global_batch"] = static_cast<double>(batch_size_);
    metrics.values["equivalence_steps"] = static_cast<double>(equivalence_steps_);
    metrics.values["weights_rel_l2_diff_single_rank"] =
        RelativeL2Difference(parallel_after_, reference_after_);
    metrics.values["weights_max_rel_diff_single_rank"] =
        MaxRelativeDifference(parallel_after_, reference_after_);
    metrics.values["final_accuracy"] = parallel_accuracy_;
    metrics.values["single_rank_final_accuracy"] = reference_accuracy_;
    metrics.values["accuracy_diff_points"] =
        std::abs(parallel_accuracy_ - reference_accuracy_) * 100;
    metrics.values["train_samples_per_second"] = samples / seconds[1];
    metrics.values["single_rank_samples_per_second"] = samples / seconds[0];
    // Strong scaling: the same samples on n ranks against one.
    metrics.values["scaling_efficiency"] = seconds[0] / (ranks * seconds[1]);
    return metrics;
  }

  [[nodiscard]] bool UsesAllRanks() const override { return true; }

 private:
  // devices: cuda: the gradients are all-reduced by NCCL on the GPU's memory, each rank on its
  // own GPU (the device memory's); without the profile's comm: nccl, a GPU or NCCL, the reason.
  Status UseDevice(const WorkloadContext& context, MlpModelOptions& options) {
    if (!context.device_status.ok()) return context.device_status;
    if (context.device_communicator == nullptr || context.device_memory == nullptr) {
      return UnavailableError(
          "data-parallel training on devices: cuda all-reduces its gradients over NCCL, which "
          "only a profile with comm: nccl sets up");
    }
    if (context.device_communicator->size() != communicator_->size() ||
        context.device_communicator->rank() != communicator_->rank()) {
      return InternalError(
          "the device communicator (rank " + std::to_string(context.device_communicator->rank()) +
          " of " + std::to_string(context.device_communicator->size()) +
          ") does not match the run's (rank " + std::to_string(communicator_->rank()) + " of " +
          std::to_string(communicator_->size()) + ")");
    }
    gradient_communicator_ = context.device_communicator;
    options.cuda_device = context.device_memory->device_index();
    return OkStatus();
  }

  // Every epoch of training from the model's initial state; `after` receives the weights after the
  // first kEquivalenceSteps steps (or after the last step when there are fewer). Alone
  // (`parallel` false) the model takes every global batch whole and nothing is all-reduced.
  Status Train(MlpModel& model, bool parallel, std::vector<float>& after) {
    const int ranks = parallel ? communicator_->size() : 1;
    const int rank = parallel ? communicator_->rank() : 0;
    const std::size_t parameters = MlpLayout(model.shape()).count;
    int steps = 0;
    for (std::int64_t epoch = 0; epoch < epochs_; ++epoch) {
      ShuffleEpochOrder(seed_, static_cast<std::uint64_t>(epoch), order_);
      LEPTON_RETURN_IF_ERROR(model.BeginSplitEpoch(order_, static_cast<int>(batch_size_)));
      for (std::int64_t start = 0; start < train_.count; start += batch_size_) {
        const auto global = static_cast<int>(std::min(batch_size_, train_.count - start));
        const int first = global * rank / ranks;
        const int local = global * (rank + 1) / ranks - first;
        // This rank's share of the mean over the global batch; the sum over ranks is the mean.
        LEPTON_RETURN_IF_ERROR(model.ComputeSliceGradients(first, local));
        if (parallel) {
          float* gradients = model.gradients();
          LEPTON_RETURN_IF_ERROR(gradient_communicator_->AllReduce(
              gradients, gradients, parameters, DataType::kFloat32, ReduceOp::kSum));
        }
        LEPTON_RETURN_IF_ERROR(model.ApplyAdam(adam_));
        if (++steps == kEquivalenceSteps) {
          LEPTON_ASSIGN_OR_RETURN(after, model.Parameters());
        }
      }
    }
    if (after.empty()) {
      LEPTON_ASSIGN_OR_RETURN(after, model.Parameters());
    }
    equivalence_steps_ = std::min(steps, kEquivalenceSteps);
    return OkStatus();
  }

  Communicator* communicator_ = nullptr;           // the run's ranks: barriers, the timings
  Communicator* gradient_communicator_ = nullptr;  // the gradients': the run's, or NCCL on cuda
  checks::ImageSet train_;
  checks::ImageSet test_;
  std::int64_t batch_size_ = 64;
  std::int64_t epochs_ = 1;
  std::uint64_t seed_ = 0;
  AdamSettings adam_;
  std::unique_ptr<MlpModel> model_;
  std::unique_ptr<MlpModel> reference_;  // rank 0 only
  std::string description_;
  std::vector<std::int32_t> order_;
  std::vector<float> eval_x_;
  std::vector<float> eval_logits_;
  std::vector<float> reference_after_;
  std::vector<float> parallel_after_;
  int equivalence_steps_ = 0;
  double reference_accuracy_ = 0;
  double parallel_accuracy_ = 0;
};

}  // namespace

std::unique_ptr<Workload> MakeDataParallelMlpWorkload() {
  return std::make_unique<DataParallelMlpWorkload>();
}

}  // namespace lepton::bench
