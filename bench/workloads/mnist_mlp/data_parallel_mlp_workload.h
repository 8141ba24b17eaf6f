#pragma once
// Data-parallel training of the reference MLP: every step's global batch (the pinned 64) is split
// over the ranks (rank r takes rows [r B/n, (r+1) B/n) of it), each rank computes the mean
// gradient of its rows, scales it by its share of the batch, the gradients are all-reduced (sum,
// fp32) and every rank applies the same Adam update, so all ranks hold the same weights. Every
// rank loads the dataset and draws the same seeded shuffle, so the batches are the single-rank
// run's batches.
//
// Two timed steps: rank 0 trains alone with the same seed (the reference for equivalence and
// scaling; the other ranks wait at a sleeping barrier), then every rank trains data-parallel.
// On the CPU the reference runs on one rank's CPU threads, its share of the node's cores that
// the runner set for this all-ranks workload (bench/runner/cpu_threads.h), not on the whole
// machine: one rank alone against n of them, as one GPU against n on cuda. The scaling
// efficiency is that speed-up over n.
// The weights after the first 100 steps (fewer when the training has fewer) and the final test
// accuracies are compared; the test set is evaluated outside the timed steps.
//
// Written once over MlpModel (bench/models/mlp_model.h), whose split step computes a rank's scaled
// gradients into a buffer the workload all-reduces in place, and over the ranks this process drives
// (data_parallel_ranks.h, the step loop in split_training.h): on devices: cpu one rank per
// process in host memory over the run's communicator (MPI, or self alone); on devices: cuda
// either one rank per process on its GPU over NCCL (the context's device communicator, comm:
// nccl) or, in NCCL's single-process mode (the context's device group, comm: nccl-local), one
// model per group rank on that rank's GPU, the single-rank reference on rank 0's. Without a
// communicator or a group for the gradients the workload is unavailable, saying why. Barriers and
// the timing reduction stay on the run's communicator.

#include <memory>

#include "bench/api/workload.h"

namespace lepton::bench {

std::unique_ptr<Workload> MakeDataParallelMlpWorkload();

}  // namespace lepton::bench
