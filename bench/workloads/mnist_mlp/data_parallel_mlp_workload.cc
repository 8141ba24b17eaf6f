#include "bench/workloads/mnist_mlp/data_parallel_mlp_workload.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "bench/api/device_communicator_check.h"
#include "bench/backends/model_factories.h"
#include "bench/models/mlp_model.h"
#include "bench/models/mlp_parameters.h"
#include "bench/workloads/mnist_mlp/data_parallel_ranks.h"
#include "bench/workloads/mnist_mlp/mlp_data.h"
#include "bench/workloads/mnist_mlp/split_equivalence.h"
#include "bench/workloads/mnist_mlp/split_training.h"

namespace lepton::bench {
namespace {

constexpr std::size_t kSingleRankStep = 0;
constexpr std::size_t kDataParallelStep = 1;
class DataParallelMlpWorkload final : public Workload {
 public:
  Status Prepare(const WorkloadContext& context) override {
    if (context.communicator == nullptr && context.device_group == nullptr) {
      return UnavailableError(
          "data-parallel training sums its gradients over the run's communicator or a "
          "single-process group, and this run has neither");
    }
    host_ = context.communicator;
    MlpModelOptions options;
    options.device = context.device;
    std::vector<int> cuda_devices;  // per driven rank, when on devices: cuda
    LEPTON_RETURN_IF_ERROR(ChooseRanks(context, cuda_devices));
    const auto& params = context.params;
    LEPTON_ASSIGN_OR_RETURN(training_.batch_size, GetParam<std::int64_t>(params, "batch_size"));
    LEPTON_ASSIGN_OR_RETURN(training_.epochs, GetParam<std::int64_t>(params, "epochs"));
    LEPTON_ASSIGN_OR_RETURN(const std::int64_t seed, GetParam<std::int64_t>(params, "seed"));
    training_.seed = static_cast<std::uint64_t>(seed);
    LEPTON_ASSIGN_OR_RETURN(training_.adam, ReadAdamSettings(context));
    LEPTON_ASSIGN_OR_RETURN(const std::string precision,
                            GetParam<std::string>(params, "precision"));
    LEPTON_ASSIGN_OR_RETURN(options.precision, ParseMlpPrecision(precision));
    if (ranks_ > training_.batch_size) {
      return UnavailableError("a global batch of " + std::to_string(training_.batch_size) +
                              " rows cannot be split over " + std::to_string(ranks_) + " ranks");
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
    options.max_batch =
        static_cast<int>(std::max<std::int64_t>(training_.batch_size, kEvaluationBatch));
    order_.resize(static_cast<std::size_t>(train_.count));
    LEPTON_RETURN_IF_ERROR(MakeModels(options, cuda_devices));
    // Untimed: the training set onto the devices, and one step of each layout (which also sets
    // up the gradients' communicator), so that neither timed step pays for oneDNN's kernel
    // generation, CUDA's graph capture or NCCL's first call. The models start from the seed
    // again in BeginRun.
    SplitTraining warm_up = training_;
    warm_up.step_limit = 1;
    for (DataParallelRanks* ranks : {parallel_.get(), alone_.get()}) {
      if (ranks == nullptr) continue;
      for (MlpModel* model : ranks->models()) {
        LEPTON_RETURN_IF_ERROR(model->Initialize(training_.seed));
        LEPTON_RETURN_IF_ERROR(model->SetTrainingSet(train_.pixels, train_.labels));
      }
      // Reads the weights back, so that the devices have finished the step too.
      if (auto warmed = TrainSplit(*ranks, warm_up, order_); !warmed) return warmed.error();
    }
    for (std::size_t r = 0; r < models_.size(); ++r) {
      description_ += (r == 0 ? "" : ", ") + models_[r]->description();
    }
    return HostBarrier();
  }

  [[nodiscard]] std::vector<std::string> StepNames() const override {
    return {"single_rank_train", "data_parallel_train"};
  }

  // Every model starts from the seed here, outside the timed steps, as the single-rank
  // workload's model does.
  Status BeginRun(int /*run_index*/) override {
    for (const auto& model : models_) LEPTON_RETURN_IF_ERROR(model->Initialize(training_.seed));
    if (reference_) LEPTON_RETURN_IF_ERROR(reference_->Initialize(training_.seed));
    trace_ = {};
    return OkStatus();
  }

  Status RunStep(std::size_t step) override {
    if (step == kSingleRankStep) {
      if (!FirstProcess()) return OkStatus();
      LEPTON_RETURN_IF_ERROR(TrainSplit(*alone_, training_, order_));
      return OkStatus();
    }
    LEPTON_RETURN_IF_ERROR(TrainSplit(*parallel_, training_, order_));
    return OkStatus();
  }

  Status AfterStep(std::size_t step) override {
    if (step == kSingleRankStep) {
      if (FirstProcess()) {
        LEPTON_ASSIGN_OR_RETURN(const TestSetScore score,
                                ScoreTestSet(*reference_, test_, eval_x_, eval_logits_));
        reference_accuracy_ = score.accuracy;
      }
      // The other ranks wait here, sleeping, while rank 0 trains alone.
      return HostBarrier();
    }
    // Every rank holds the same weights; rank 0's evaluation is the run's.
    if (FirstProcess()) {
      LEPTON_ASSIGN_OR_RETURN(const TestSetScore score,
                              ScoreTestSet(*models_.front(), test_, eval_x_, eval_logits_));
      parallel_accuracy_ = score.accuracy;
    }
    return TraceEquivalence();
  }

  [[nodiscard]] std::optional<double> SamplesPerRun() const override {
    return static_cast<double>(train_.count) * static_cast<double>(training_.epochs);
  }

  Result<Metrics> FinishRun(std::span<const double> step_seconds) override {
    // Rank 0's single-rank time (the others report none) and the slowest data-parallel rank.
    std::vector<double> seconds = {FirstProcess() ? step_seconds[kSingleRankStep] : 0.0,
                                   step_seconds[kDataParallelStep]};
    if (host_ != nullptr) {
      LEPTON_RETURN_IF_ERROR(host_->AllReduce(seconds.data(), seconds.data(), seconds.size(),
                                              DataType::kFloat64, ReduceOp::kMax));
    }
    Metrics metrics;
    if (!FirstProcess()) return metrics;  // only rank 0's metrics are the run's
    const double samples =
        static_cast<double>(train_.count) * static_cast<double>(training_.epochs);
    metrics.values["ranks"] = static_cast<double>(ranks_);
    metrics.values["compute_device"] = description_;
    metrics.values["gradient_communicator"] = gradient_communicator_;
    metrics.values["global_batch"] = static_cast<double>(training_.batch_size);
    AddTraceMetrics(metrics);
    metrics.values["final_accuracy"] = parallel_accuracy_;
    metrics.values["single_rank_final_accuracy"] = reference_accuracy_;
    metrics.values["accuracy_diff_points"] =
        std::abs(parallel_accuracy_ - reference_accuracy_) * 100;
    metrics.values["train_samples_per_second"] = samples / seconds[1];
    metrics.values["single_rank_samples_per_second"] = samples / seconds[0];
    // Strong scaling: the same samples on n ranks against one.
    metrics.values["scaling_efficiency"] = seconds[0] / (ranks_ * seconds[1]);
    return metrics;
  }

  [[nodiscard]] bool UsesAllRanks() const override { return true; }

 private:
  // Which ranks this process drives and what sums their gradients: the single-process group
  // when the context has one (every rank here, each on its group device), else this process's
  // rank: on devices: cuda over NCCL on its GPU (the device communicator), on devices: cpu over
  // the run's communicator. `cuda_devices` receives each driven rank's GPU on devices: cuda.
  Status ChooseRanks(const WorkloadContext& context, std::vector<int>& cuda_devices) {
    const bool cuda = context.device == "cuda";
    if (cuda && !context.device_status.ok()) return context.device_status;
    if (context.device_group != nullptr) {
      LEPTON_RETURN_IF_ERROR(CheckGroupDrivesEveryRank(*context.device_group, host_));
      group_ = context.device_group;
      ranks_ = group_->size();
      gradient_communicator_ = std::string(group_->name());
      for (int r = 0; cuda && r < ranks_; ++r) {
        cuda_devices.push_back(group_->memory(r).device_index());
      }
      if (cuda) first_rank_memory_ = &group_->memory(0);
      return OkStatus();
    }
    if (host_ == nullptr) return InternalError("no communicator in the context");
    gradients_ = host_;
    if (cuda) {
      LEPTON_RETURN_IF_ERROR(CheckDeviceCommunicator(
          context, *host_, "data-parallel training on devices: cuda all-reduces its gradients"));
      gradients_ = context.device_communicator;
      cuda_devices.push_back(context.device_memory->device_index());
      first_rank_memory_ = context.device_memory;
    }
    ranks_ = gradients_->size();
    gradient_communicator_ = std::string(gradients_->name());
    return OkStatus();
  }

  // One model per driven rank (on its GPU on devices: cuda) and, in the first process, the
  // single-rank reference (on rank 0's GPU); the ranks over them.
  Status MakeModels(MlpModelOptions options, const std::vector<int>& cuda_devices) {
    const std::size_t driven = group_ != nullptr ? static_cast<std::size_t>(ranks_) : 1;
    std::vector<MlpModel*> models;
    for (std::size_t r = 0; r < driven; ++r) {
      if (!cuda_devices.empty()) options.cuda_device = cuda_devices[r];
      LEPTON_ASSIGN_OR_RETURN(std::unique_ptr<MlpModel> model, MakeMlpModel(options));
      models.push_back(model.get());
      models_.push_back(std::move(model));
    }
    parallel_ = group_ != nullptr ? MakeGroupRanks(models, *group_)
                                  : MakeProcessRank(*models.front(), *gradients_);
    if (FirstProcess()) {
      if (!cuda_devices.empty()) options.cuda_device = cuda_devices.front();
      LEPTON_ASSIGN_OR_RETURN(reference_, MakeMlpModel(options));
      alone_ = MakeAloneRank(*reference_);
    }
    return OkStatus();
  }

  // Untimed, after the run's evaluation: both layouts again from the seed for the first
  // equivalence steps, step by step (split_equivalence.h). Rank 0 traces the reference alone
  // while the other ranks wait, as in the timed steps; then every rank trains data-parallel.
  // Every weights and gradient figure comes from here, so the timed steps read nothing back
  // before they end.
  Status TraceEquivalence() {
    const GradientReader read_gradients = [this](MlpModel& model) -> Result<std::vector<float>> {
      std::vector<float> gradients(MlpLayout(model.shape()).count);
      if (first_rank_memory_ == nullptr) {  // devices: cpu, host memory
        std::copy_n(model.gradients(), gradients.size(), gradients.begin());
        return gradients;
      }
      LEPTON_RETURN_IF_ERROR(first_rank_memory_->CopyToHost(gradients.data(), model.gradients(),
                                                            gradients.size() * sizeof(float)));
      return gradients;
    };
    const int steps = static_cast<int>(std::min<std::int64_t>(
        kEquivalenceSteps,
        training_.epochs * ((train_.count + training_.batch_size - 1) / training_.batch_size)));
    std::optional<ReferenceTrace> reference;
    if (FirstProcess()) {
      LEPTON_RETURN_IF_ERROR(reference_->Initialize(training_.seed));
      LEPTON_ASSIGN_OR_RETURN(reference,
                              TraceReference(*alone_, training_, order_, read_gradients, steps));
    }
    LEPTON_RETURN_IF_ERROR(HostBarrier());
    for (const auto& model : models_) LEPTON_RETURN_IF_ERROR(model->Initialize(training_.seed));
    LEPTON_ASSIGN_OR_RETURN(
        trace_, TraceAgainstReference(*parallel_, training_, order_, read_gradients, steps,
                                      reference ? &*reference : nullptr,
                                      {.pixels = train_.pixels, .labels = train_.labels}));
    return OkStatus();
  }

  void AddTraceMetrics(Metrics& metrics) const {
    metrics.values["equivalence_steps"] = static_cast<double>(trace_.steps);
    metrics.values["weights_rel_l2_diff_single_rank"] =
        trace_.weights_rel_l2.empty() ? 0.0 : trace_.weights_rel_l2.back();
    metrics.values["weights_max_rel_diff_single_rank"] = trace_.last_weights_max_rel;
    metrics.values["gradient_rel_l2_diff_single_rank"] = trace_.first_gradient_rel_l2;
    metrics.series["weights_rel_l2_diff_single_rank_by_step"] = trace_.weights_rel_l2;
    if (trace_.divergence_step == 0) return;
    metrics.values["weights_divergence_step"] = static_cast<double>(trace_.divergence_step);
    metrics.values["relu_disagreements_at_divergence"] =
        static_cast<double>(trace_.at_divergence.count);
    // Infinite only for a batch whose every unit has no nonzero term: nothing to report.
    if (std::isfinite(trace_.at_divergence.min_relative_margin)) {
      metrics.values["relu_min_relative_margin_at_divergence"] =
          trace_.at_divergence.min_relative_margin;
    }
  }

  // This process holds rank 0 (and the reference): alone, under a group, or the run's rank 0.
  [[nodiscard]] bool FirstProcess() const { return host_ == nullptr || host_->rank() == 0; }
  Status HostBarrier() { return host_ != nullptr ? host_->Barrier() : OkStatus(); }

  Communicator* host_ = nullptr;  // the run's ranks (barriers, the timings); null: this one alone
  CommunicatorGroup* group_ = nullptr;  // comm: nccl-local: every rank, driven from here
  Communicator* gradients_ = nullptr;   // else this rank's: the run's, or NCCL on cuda
  // devices: cuda: the memory of the first driven rank's GPU, which the reference shares; null
  // on the CPU, where gradients are in host memory.
  DeviceMemory* first_rank_memory_ = nullptr;
  int ranks_ = 1;  // every rank of the training
  std::string gradient_communicator_;
  SplitTraining training_;
  checks::ImageSet train_;
  checks::ImageSet test_;
  std::vector<std::unique_ptr<MlpModel>> models_;  // the ranks this process drives
  std::unique_ptr<MlpModel> reference_;            // the first process only
  std::unique_ptr<DataParallelRanks> parallel_;
  std::unique_ptr<DataParallelRanks> alone_;  // the reference's
  std::string description_;
  std::vector<std::int32_t> order_;
  std::vector<float> eval_x_;
  std::vector<float> eval_logits_;
  EquivalenceTrace trace_;
  double reference_accuracy_ = 0;
  double parallel_accuracy_ = 0;
};

}  // namespace

std::unique_ptr<Workload> MakeDataParallelMlpWorkload() {
  return std::make_unique<DataParallelMlpWorkload>();
}

}  // namespace lepton::bench
