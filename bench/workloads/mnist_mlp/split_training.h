#pragma once
// The data-parallel MLP training's step loop, written once over the ranks this process drives
// (data_parallel_ranks.h). Every step's global batch is split over all ranks (rank r takes rows
// [r B/n, (r+1) B/n) of it); each driven model computes its rows' gradient scaled by its share,
// the ranks' gradients are summed, and each model applies the same Adam step, so every rank
// holds the same weights. Every model is given the same seeded epoch order, so the batches are
// the single-rank run's.
//
// Each step first launches every driven model's slice (ComputeSliceGradients only enqueues on
// CUDA, mlp_model.h), then waits for each model's gradients (WaitForGradients, bounded), then
// sums: the GPUs of a single-process group compute their slices at the same time, as their sums
// and Adam steps already ran. A failed launch or wait ends the training with that model's error
// at once, without waiting for the others.

#include <cstdint>
#include <functional>
#include <vector>

#include "bench/models/mlp_definition.h"
#include "bench/workloads/mnist_mlp/data_parallel_ranks.h"
#include "conformance/core/status.h"

namespace lepton::bench {

struct SplitTraining {
  std::int64_t epochs = 1;
  std::int64_t batch_size = 64;  // the global batch
  std::uint64_t seed = 0;        // of the epochs' shuffles
  AdamSettings adam;
  // 0: every step of every epoch; else stop after this many (an untimed warm-up takes one).
  int step_limit = 0;
};

struct SplitTrainingResult {
  // The first driven model's weights after the last step, read back at the end, so that a timed
  // training ends when its device has finished.
  std::vector<float> weights;
  int steps = 0;
};

// Called during TrainSplit with the step just taken (1, 2, ...): `after_sum` once the ranks'
// gradients are summed (gradients() holds the global batch's gradient, before Adam), `after_step`
// after every model's Adam step. For untimed checks only (split_equivalence.h): a hook that
// reads the device stalls the step loop. An error ends the training with it.
struct SplitStepHooks {
  std::function<Status(int step)> after_sum;
  std::function<Status(int step)> after_step;
};

// Trains from the models' current state on `order.size()` training items (the models' training
// set); `order` is the caller's buffer for the epochs' orders.
Result<SplitTrainingResult> TrainSplit(DataParallelRanks& ranks, const SplitTraining& training,
                                       std::vector<std::int32_t>& order,
                                       const SplitStepHooks& hooks = {});

}  // namespace lepton::bench
