#pragma once
// How many CPU threads each rank's math uses (OpenMP loops, oneDNN, OpenBLAS). Under mpirun every
// rank's libraries would otherwise start a thread per core, so N ranks on one node would ask for
// N times its cores. Hybrid MPI+OpenMP codes give each rank its share instead (torchrun goes
// further and sets OMP_NUM_THREADS=1 for several processes); so does the runner, while every
// rank computes. A single-rank workload runs on rank 0 alone (the other ranks sleep at a
// barrier), so it keeps all of rank 0's cores.

#include <optional>

#include "conformance/records/cpu_threads.h"

namespace lepton::bench {

struct CpuThreadsInputs {
  int rank_cpus = 0;          // CPUs in this rank's affinity mask
  int node_cpus = 0;          // CPUs the ranks on this node may run on together (NodeLayout)
  int local_ranks = 1;        // ranks on this node
  std::optional<int> option;  // lepton-cert run --threads-per-rank
  std::optional<int> omp_num_threads;  // OMP_NUM_THREADS, when the user set it
};

// The choice as recorded (conformance/records/cpu_threads.h), under the runner's names.
using records::CpuThreads;
using records::kThreadsAloneOnNode;
using records::kThreadsFromOmpNumThreads;
using records::kThreadsFromOption;
using records::kThreadsNodeShare;

// Pure. An explicit setting wins: --threads-per-rank, then OMP_NUM_THREADS, for every workload.
// Otherwise, with several ranks on the node, each gets max(1, node CPUs / local ranks), at most
// its own mask's CPUs (a launcher that bound the ranks already gave each its share); alone on
// the node a rank keeps all its CPUs. Unknown CPU counts (0) are taken as 1.
CpuThreads ChooseCpuThreads(const CpuThreadsInputs& inputs);

// Pure: OMP_NUM_THREADS's value as OpenMP reads it (the first entry of a list such as "4,2");
// nullopt when unset or not a positive number, which OpenMP ignores too.
std::optional<int> ParseOmpNumThreads(const char* value);

// Sets the threads of OpenMP's next parallel regions on the calling thread (oneDNN in Debian's
// libdnnl 2.6 runs on OpenMP, libgomp) and of OpenBLAS (Debian's openblas-pthread, which keeps
// its own threads).
void SetCpuThreads(int threads);

}  // namespace lepton::bench
