#include "bench/workloads/mnist_mlp/data_parallel_mlp_workload.h"

#include <algorithm>
#include <cmath>

#include "bench/workloads/mnist_mlp/mlp.h"
#include "bench/workloads/mnist_mlp/mlp_data.h"

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
    const auto& params = context.params;
    LEPTON_ASSIGN_OR_RETURN(batch_size_, GetParam<std::int64_t>(params, "batch_size"));
    LEPTON_ASSIGN_OR_RETURN(epochs_, GetParam<std::int64_t>(params, "epochs"));
    LEPTON_ASSIGN_OR_RETURN(const std::int64_t seed, GetParam<std::int64_t>(params, "seed"));
    seed_ = static_cast<std::uint64_t>(seed);
    LEPTON_ASSIGN_OR_RETURN(adam_, ReadAdamSettings(context));
    LEPTON_ASSIGN_OR_RETURN(const std::string precision,
                            GetParam<std::string>(params, "precision"));
    if (precision != "fp32") {
      return UnavailableError("data-parallel training runs on CPUs in fp32 only (precision " +
                              precision + ")");
    }
    const int ranks = communicator_->size();
    if (ranks > batch_size_) {
      return UnavailableError("a global batch of " + std::to_string(batch_size_) +
                              " rows cannot be split over " + std::to_string(ranks) + " ranks");
    }
    LEPTON_ASSIGN_OR_RETURN(LoadedSplit train, LoadWorkloadSplit(context, "train"));
    LEPTON_ASSIGN_OR_RETURN(LoadedSplit test, LoadWorkloadSplit(context, "t10k"));
    LEPTON_ASSIGN_OR_RETURN(const MlpShape shape, CheckedMlpShape(context, train));
    train_ = std::move(train.images);
    test_ = std::move(test.images);
    if (params.contains("dataset.train_samples")) {
      KeepFirstImages(train_, std::get<std::int64_t>(params.at("dataset.train_samples")));
    }
    if (params.contains("dataset.test_samples")) {
      KeepFirstImages(test_, std::get<std::int64_t>(params.at("dataset.test_samples")));
    }
    const int model_batch = static_cast<int>(std::max<std::int64_t>(batch_size_, kEvaluationBatch));
    model_ = std::make_unique<Mlp>(shape, model_batch);
    if (communicator_->rank() == 0) reference_ = std::make_unique<Mlp>(shape, model_batch);
    order_.resize(static_cast<std::size_t>(train_.count));
    batch_x_.resize(static_cast<std::size_t>(batch_size_) * shape.inputs);
    batch_labels_.resize(static_cast<std::size_t>(batch_size_));
    // oneDNN compiles a GEMM kernel per shape on first use: warm the full batch (the reference)
    // and this rank's share (data parallel), so that neither timed step pays for it.
    const int share = static_cast<int>(batch_size_ * (communicator_->rank() + 1) / ranks -
                                       batch_size_ * communicator_->rank() / ranks);
    std::fill(batch_x_.begin(), batch_x_.end(), 0.5F);
    std::fill(batch_labels_.begin(), batch_labels_.end(), std::uint8_t{0});
    for (Mlp* model : {model_.get(), reference_.get()}) {
      if (model == nullptr) continue;
      for (const int rows : {share, static_cast<int>(batch_size_)}) {
        const auto loss = model->ComputeGradients(batch_x_.data(), batch_labels_.data(), rows);
        if (!loss) return loss.error();
      }
    }
    return communicator_->Barrier();
  }

  [[nodiscard]] std::vector<std::string> StepNames() const override {
    return {"single_rank_train", "data_parallel_train"};
  }

  // Both models start from the seed here, outside the timed steps, as the single-rank workload's
  // model does.
  Status BeginRun(int /*run_index*/) override {
    model_->Initialize(seed_);
    if (reference_) reference_->Initialize(seed_);
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
  // Every epoch of training from the model's initial state; `after` receives the weights after the
  // first kEquivalenceSteps steps (or after the last step when there are fewer).
  Status Train(Mlp& model, bool parallel, std::vector<float>& after) {
    const int ranks = parallel ? communicator_->size() : 1;
    const int rank = parallel ? communicator_->rank() : 0;
    int steps = 0;
    for (std::int64_t epoch = 0; epoch < epochs_; ++epoch) {
      ShuffleEpochOrder(seed_, static_cast<std::uint64_t>(epoch), order_);
      for (std::int64_t start = 0; start < train_.count; start += batch_size_) {
        const auto global = static_cast<int>(std::min(batch_size_, train_.count - start));
        const int first = global * rank / ranks;
        const int local = global * (rank + 1) / ranks - first;
        GatherScaledRows(train_, order_.data() + start + first, local, batch_x_.data(),
                         batch_labels_.data());
        if (local > 0) {
          const auto loss = model.ComputeGradients(batch_x_.data(), batch_labels_.data(), local);
          if (!loss) return loss.error();
        }
        if (parallel) {
          // The mean over the global batch: each rank's mean weighted by its share of the rows.
          std::span<float> gradients = model.mutable_gradients();
          const float share = static_cast<float>(local) / static_cast<float>(global);
          if (local == 0) std::fill(gradients.begin(), gradients.end(), 0.0F);
          for (float& g : gradients) g *= share;
          LEPTON_RETURN_IF_ERROR(communicator_->AllReduce(gradients.data(), gradients.data(),
                                                          gradients.size(), DataType::kFloat32,
                                                          ReduceOp::kSum));
        }
        model.AdamUpdate(adam_);
        if (++steps == kEquivalenceSteps) {
          after.assign(model.parameters().begin(), model.parameters().end());
        }
      }
    }
    if (after.empty()) after.assign(model.parameters().begin(), model.parameters().end());
    equivalence_steps_ = std::min(steps, kEquivalenceSteps);
    return OkStatus();
  }

  Communicator* communicator_ = nullptr;
  checks::ImageSet train_;
  checks::ImageSet test_;
  std::int64_t batch_size_ = 64;
  std::int64_t epochs_ = 1;
  std::uint64_t seed_ = 0;
  AdamSettings adam_;
  std::unique_ptr<Mlp> model_;
  std::unique_ptr<Mlp> reference_;  // rank 0 only
  std::vector<std::int32_t> order_;
  std::vector<float> batch_x_;
  std::vector<std::uint8_t> batch_labels_;
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
