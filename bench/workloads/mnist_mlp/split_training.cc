#include "bench/workloads/mnist_mlp/split_training.h"

#include <algorithm>

#include "bench/workloads/mnist_mlp/mlp_data.h"

namespace lepton::bench {

Result<SplitTrainingResult> TrainSplit(DataParallelRanks& ranks, const SplitTraining& training,
                                       std::vector<std::int32_t>& order,
                                       const SplitStepHooks& hooks) {
  const auto count = static_cast<std::int64_t>(order.size());
  const int size = ranks.size();
  SplitTrainingResult result;
  int steps = 0;
  const auto done = [&] { return training.step_limit > 0 && steps >= training.step_limit; };
  for (std::int64_t epoch = 0; epoch < training.epochs && !done(); ++epoch) {
    ShuffleEpochOrder(training.seed, static_cast<std::uint64_t>(epoch), order);
    for (MlpModel* model : ranks.models()) {
      LEPTON_RETURN_IF_ERROR(model->BeginSplitEpoch(order, static_cast<int>(training.batch_size)));
    }
    for (std::int64_t start = 0; start < count && !done(); start += training.batch_size) {
      const auto global = static_cast<int>(std::min(training.batch_size, count - start));
      int rank = ranks.first_rank();
      for (MlpModel* model : ranks.models()) {
        const int first = global * rank / size;
        const int rows = global * (rank + 1) / size - first;
        ++rank;
        // This rank's share of the mean over the global batch; the sum over ranks is the mean.
        LEPTON_RETURN_IF_ERROR(model->ComputeSliceGradients(first, rows));
      }
      // Only once every slice is launched, so that the GPUs compute them at the same time; the
      // sum reads the gradients on the communicator's own stream, so all must be complete.
      for (MlpModel* model : ranks.models()) LEPTON_RETURN_IF_ERROR(model->WaitForGradients());
      LEPTON_RETURN_IF_ERROR(ranks.SumGradients());
      ++steps;
      if (hooks.after_sum) LEPTON_RETURN_IF_ERROR(hooks.after_sum(steps));
      for (MlpModel* model : ranks.models())
        LEPTON_RETURN_IF_ERROR(model->ApplyAdam(training.adam));
      if (hooks.after_step) LEPTON_RETURN_IF_ERROR(hooks.after_step(steps));
    }
  }
  LEPTON_ASSIGN_OR_RETURN(result.weights, ranks.models().front()->Parameters());
  result.steps = steps;
  return result;
}

}  // namespace lepton::bench
