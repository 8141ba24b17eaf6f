#include "bench/workloads/linear_regression/data_parallel_regression_workload.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "bench/backends/cpu/cpu_regression.h"
#include "bench/workloads/linear_regression/fit_quality.h"
#include "bench/workloads/linear_regression/regression_sources.h"

namespace lepton::bench {
namespace {

constexpr std::size_t kSingleRankStep = 0;
constexpr std::size_t kDataParallelStep = 1;

// max_i |a_i - b_i| / |b_i|; a zero reference coefficient compares absolutely.
double MaxRelativeDifference(const std::vector<double>& a, const std::vector<double>& b) {
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double scale = b[i] == 0.0 ? 1.0 : std::abs(b[i]);
    worst = std::max(worst, std::abs(a[i] - b[i]) / scale);
  }
  return worst;
}

class DataParallelRegressionWorkload final : public Workload {
 public:
  Status Prepare(const WorkloadContext& context) override {
    // The runner always supplies one (the self communicator when started alone).
    if (context.communicator == nullptr) return InternalError("no communicator in the context");
    communicator_ = context.communicator;
    const auto& params = context.params;
    LEPTON_ASSIGN_OR_RETURN(intercept_, GetParam<bool>(params, "model.intercept"));
    SyntheticSpec spec;
    LEPTON_ASSIGN_OR_RETURN(const std::int64_t seed, GetParam<std::int64_t>(params, "seed"));
    spec.seed = static_cast<std::uint64_t>(seed);
    LEPTON_ASSIGN_OR_RETURN(spec.rows, GetParam<std::int64_t>(params, "dataset.rows"));
    LEPTON_ASSIGN_OR_RETURN(const std::int64_t features,
                            GetParam<std::int64_t>(params, "dataset.features"));
    spec.features = static_cast<int>(features);
    LEPTON_ASSIGN_OR_RETURN(spec.noise_sigma, GetParam<double>(params, "dataset.noise_sigma"));
    LEPTON_ASSIGN_OR_RETURN(spec.holdout_fraction,
                            GetParam<double>(params, "dataset.holdout_fraction"));
    // The same seed on every rank: every rank sees the single-rank data and keeps its block.
    LEPTON_ASSIGN_OR_RETURN(data_, GenerateSynthetic(spec));
    const std::int64_t ranks = communicator_->size();
    const std::int64_t rank = communicator_->rank();
    const std::int64_t first = data_.train_rows * rank / ranks;
    shard_rows_ = data_.train_rows * (rank + 1) / ranks - first;
    const auto stride = static_cast<std::size_t>(data_.stride());
    if (rank == 0) {
      // Rank 0 keeps every row for the single-rank reference; its block is the first one.
      shard_ = {data_.train.data(), static_cast<std::size_t>(shard_rows_) * stride};
    } else {
      const auto begin = data_.train.begin() + static_cast<std::ptrdiff_t>(first * stride);
      own_rows_.assign(begin, begin + static_cast<std::ptrdiff_t>(shard_rows_ * stride));
      data_.train = {};  // the other ranks hold their block only
      shard_ = own_rows_;
    }
    return communicator_->Barrier();
  }

  [[nodiscard]] std::vector<std::string> StepNames() const override {
    return {"single_rank_solve", "data_parallel_solve"};
  }

  Status BeginRun(int /*run_index*/) override {
    single_rank_.assign(static_cast<std::size_t>(data_.features) + 1, 0.0);
    data_parallel_.clear();
    return OkStatus();
  }

  Status RunStep(std::size_t step) override {
    if (step == kSingleRankStep) {
      if (communicator_->rank() != 0) return OkStatus();
      LEPTON_ASSIGN_OR_RETURN(single_rank_, single_rank_solver_.Solve(data_, intercept_));
      return OkStatus();
    }
    AugmentedGram(shard_.data(), shard_rows_, data_.stride(), gram_);
    LEPTON_RETURN_IF_ERROR(communicator_->AllReduce(gram_.data(), gram_.data(), gram_.size(),
                                                    DataType::kFloat64, ReduceOp::kSum));
    LEPTON_ASSIGN_OR_RETURN(data_parallel_, SolveAugmentedGram(gram_, data_.features, intercept_));
    return OkStatus();
  }

  Status AfterStep(std::size_t step) override {
    // The other ranks wait here, sleeping, while rank 0 solves alone.
    if (step == kSingleRankStep) return communicator_->Barrier();
    return OkStatus();
  }

  Result<Metrics> FinishRun(std::span<const double> step_seconds) override {
    const int ranks = communicator_->size();
    // Rank 0's single-rank time (the others report none) and the slowest data-parallel rank.
    std::vector<double> seconds = {communicator_->rank() == 0 ? step_seconds[kSingleRankStep] : 0.0,
                                   step_seconds[kDataParallelStep]};
    LEPTON_RETURN_IF_ERROR(communicator_->AllReduce(seconds.data(), seconds.data(), seconds.size(),
                                                    DataType::kFloat64, ReduceOp::kMax));
    LEPTON_RETURN_IF_ERROR(communicator_->Broadcast(single_rank_.data(), single_rank_.data(),
                                                    single_rank_.size(), DataType::kFloat64, 0));
    const auto rows = static_cast<double>(data_.train_rows);
    Metrics metrics;
    metrics.values["ranks"] = static_cast<double>(ranks);
    metrics.values["rows"] = rows;
    metrics.values["rows_per_second"] = rows / seconds[1];
    metrics.values["single_rank_rows_per_second"] = rows / seconds[0];
    // Strong scaling: the same rows on n ranks against one.
    metrics.values["scaling_efficiency"] = seconds[0] / (ranks * seconds[1]);
    metrics.values["coef_max_rel_diff_single_rank"] =
        MaxRelativeDifference(data_parallel_, single_rank_);
    metrics.values["coef_max_abs_error"] =
        MaxAbsCoefficientError(data_parallel_, *data_.true_coefficients);
    metrics.series["coefficients"] = data_parallel_;
    return metrics;
  }

  [[nodiscard]] bool UsesAllRanks() const override { return true; }

 private:
  Communicator* communicator_ = nullptr;
  bool intercept_ = true;
  RegressionData data_;
  std::vector<double> own_rows_;
  std::span<const double> shard_;
  std::int64_t shard_rows_ = 0;
  std::vector<double> gram_;
  NormalEquationsSolver single_rank_solver_;
  std::vector<double> single_rank_;
  std::vector<double> data_parallel_;
};

}  // namespace

std::unique_ptr<Workload> MakeDataParallelRegressionWorkload() {
  return std::make_unique<DataParallelRegressionWorkload>();
}

}  // namespace lepton::bench
