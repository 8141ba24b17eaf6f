#pragma once
// Where the ranks of a run are: how many nodes (distinct hosts), and each rank's place among the
// ranks of its node (its local rank picks its GPU: one GPU per rank). The hostnames gathered over
// the run's communicator decide the node count, as nccl-tests does; the launcher's own figures
// (Slurm's SLURM_STEP_NUM_NODES, Open MPI's world and local sizes) are read too, to pick the
// local rank the launcher assigned and to cross-check the count.

#include <functional>
#include <optional>
#include <span>
#include <string>

#include "bench/api/communicator.h"
#include "conformance/core/status.h"

namespace lepton::bench {

struct NodeLayout {
  int nodes = 1;        // distinct hostnames among the ranks
  int local_rank = 0;   // this rank's index among the ranks on its host, in rank order
  int local_ranks = 1;  // ranks on this rank's host
};

// Pure: the layout seen by `rank` from every rank's hostname (hostnames[r] is rank r's).
NodeLayout LayoutFromHostnames(std::span<const std::string> hostnames, int rank);

// Collective over `world` (every rank calls it): gathers each rank's gethostname().
Result<NodeLayout> GatherNodeLayout(Communicator& world);

// Reads one environment variable; null when unset (std::getenv by default).
using EnvironmentLookup = std::function<const char*(const char*)>;

struct LauncherFigure {
  int value = 0;
  std::string source;  // the variables it came from, e.g. "SLURM_STEP_NUM_NODES"
};

// The node count the launcher states: srun's SLURM_STEP_NUM_NODES, else SLURM_NNODES or
// SLURM_JOB_NUM_NODES under srun (SLURM_STEP_ID set), else Open MPI's OMPI_COMM_WORLD_SIZE /
// OMPI_COMM_WORLD_LOCAL_SIZE when it divides evenly (exact only when every node runs as many
// ranks as this one). Nullopt when started by none of them.
std::optional<LauncherFigure> LauncherNodeCount(const EnvironmentLookup& lookup);

// The local rank the launcher assigned: OMPI_COMM_WORLD_LOCAL_RANK, MPI_LOCALRANKID (MPICH's
// Hydra), SLURM_LOCALID (srun). Nullopt when none is set or readable.
std::optional<LauncherFigure> LauncherLocalRank(const EnvironmentLookup& lookup);

}  // namespace lepton::bench
