#pragma once
// Where the ranks of a run are: how many nodes (distinct hosts), and each rank's place among the
// ranks of its node (its local rank picks its GPU: one GPU per rank). The hostnames gathered over
// the run's communicator decide the node count, as nccl-tests does; the launcher's own figures
// (Slurm's SLURM_STEP_NUM_NODES, Open MPI's world and local sizes) are read too, to pick the
// local rank the launcher assigned and to cross-check the count. The ranks' CPU affinity masks
// are gathered too: the CPUs the ranks of a node share decide each rank's CPU threads
// (bench/runner/cpu_threads.h).

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
  int cpus = 0;         // CPUs in this rank's affinity mask; 0 when unknown
  // CPUs in the union of the affinity masks of the ranks on this rank's host: all of them when
  // the launcher did not bind the ranks (--bind-to none), the bound ones when it did; 0 when a
  // local rank's mask is unknown.
  int node_cpus = 0;
};

// Pure: the layout seen by `rank` from every rank's hostname (hostnames[r] is rank r's).
NodeLayout LayoutFromHostnames(std::span<const std::string> hostnames, int rank);

// An affinity mask as text, as the ranks exchange it: hexadecimal digits, digit i holding CPUs
// 4i (bit 0) to 4i+3; no trailing zero digits. Empty means unknown.
std::string CpuMaskText(std::span<const int> cpus);

// Pure: the CPUs in the union of the masks (CpuMaskText) of the ranks on `rank`'s host; 0 when
// one of them is unknown or malformed.
int NodeCpusFromMasks(std::span<const std::string> hostnames,
                      std::span<const std::string> cpu_masks, int rank);

// Collective over `world` (every rank calls it): gathers each rank's gethostname() and CPU
// affinity mask (sched_getaffinity).
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
