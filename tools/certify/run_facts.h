#pragma once
// What the run plans from: this machine's probe, and what the ranks learn from each other
// (their nodes, their GPUs, each rank's CPU threads and CUDA device). Collective: under mpirun
// or srun every rank gathers them together, so every rank plans with the same facts.

#include <optional>
#include <string>
#include <vector>

#include "bench/api/communicator.h"
#include "bench/comm/node_layout.h"
#include "bench/comm/run_gpus.h"
#include "bench/runner/cpu_threads.h"
#include "conformance/checks/system_probe.h"
#include "conformance/core/status.h"
#include "conformance/spec/resolve.h"

namespace lepton::certify {

struct RunFacts {
  checks::SystemDescription system;
  // The probe's facts with ranks (the processes), nodes and gpus (the distinct devices over
  // every rank); ranks is the collectives' (CollectiveRanksFact) once the profile is known.
  spec::Facts facts;
  bench::NodeLayout layout;
  bench::CpuThreads cpu_threads;
  // This rank's CUDA device for NCCL (its local rank, or its only GPU), or why there is none.
  Result<int> rank_device = -1;
  std::vector<bench::RankGpus> run_gpus;  // every rank's, in rank order
  // Where the launcher states another node count than the hostnames show: what to warn about.
  std::string launcher_disagrees;
};

// Internal errors name what could not be gathered ("gathering the ranks' hostnames: ...").
Result<RunFacts> GatherRunFacts(bench::Communicator& world, std::optional<int> threads_per_rank);

}  // namespace lepton::certify
