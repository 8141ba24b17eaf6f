#pragma once
// The ranks of a data-parallel MLP training that this process drives, and how their gradients
// are summed, so that the training's step loop (TrainSplit, split_training.h) is written once
// for every way the ranks are laid out:
//   - one rank per process (comm: mpi, or comm: nccl under a launcher, or the self communicator
//     alone): the process's own model, its gradients all-reduced over the communicator;
//   - NCCL's single-process group (comm: nccl-local): one model per group rank, each on that
//     rank's GPU, the gradients summed by one group call per step (every rank's AllReduce on its
//     own buffer between GroupStart and GroupEnd, then the group's Synchronize);
//   - one model alone, nothing summed: the single-rank reference.

#include <memory>
#include <span>
#include <vector>

#include "bench/api/communicator.h"
#include "bench/api/communicator_group.h"
#include "bench/models/mlp_model.h"
#include "conformance/core/status.h"

namespace lepton::bench {

class DataParallelRanks {
 public:
  // `models` are ranks first_rank, first_rank + 1, ... of `size` ranks; not owned.
  DataParallelRanks(std::vector<MlpModel*> models, int first_rank, int size)
      : models_(std::move(models)), first_rank_(first_rank), size_(size) {}
  DataParallelRanks(const DataParallelRanks&) = delete;
  DataParallelRanks& operator=(const DataParallelRanks&) = delete;
  virtual ~DataParallelRanks() = default;

  // Every rank of the training, over all processes.
  [[nodiscard]] int size() const { return size_; }
  // The global rank of models()[0]; models()[i] is rank first_rank() + i.
  [[nodiscard]] int first_rank() const { return first_rank_; }
  // The models of the ranks this process drives, at least one.
  [[nodiscard]] std::span<MlpModel* const> models() const { return models_; }

  // Sums every driven model's gradients() over all ranks, in place, once each model's
  // WaitForGradients has returned; returns once ApplyAdam may read them.
  virtual Status SumGradients() = 0;

 private:
  std::vector<MlpModel*> models_;
  int first_rank_;
  int size_;
};

// One rank of one, nothing summed.
std::unique_ptr<DataParallelRanks> MakeAloneRank(MlpModel& model);
// This process's rank of the communicator's ranks; the gradients must be in memory the
// communicator reads (host memory for MPI or self, the model's GPU for NCCL).
std::unique_ptr<DataParallelRanks> MakeProcessRank(MlpModel& model, Communicator& communicator);
// Every rank of the group: models[r] is rank r's, its gradients on group.memory(r)'s device;
// models.size() == group.size().
std::unique_ptr<DataParallelRanks> MakeGroupRanks(std::vector<MlpModel*> models,
                                                  CommunicatorGroup& group);

}  // namespace lepton::bench
