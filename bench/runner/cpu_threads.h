#pragma once
// How many CPU threads each rank's math uses (OpenMP loops, oneDNN, OpenBLAS). Under mpirun every
// rank's libraries would otherwise start a thread per core, so N ranks on one node would ask for
// N times its cores. Hybrid MPI+OpenMP codes give each rank its share instead (torchrun goes
// further and sets OMP_NUM_THREADS=1 for several processes); so does the runner, while every
// rank computes. A single-rank workload runs on rank 0 alone (the other ranks sleep at a
// barrier), so it keeps all of rank 0's cores.

#include <optional>
#include <string>
#include <string_view>

namespace lepton::bench {

struct CpuThreadsInputs {
  int rank_cpus = 0;          // CPUs in this rank's affinity mask
  int node_cpus = 0;          // CPUs the ranks on this node may run on together (NodeLayout)
  int local_ranks = 1;        // ranks on this node
  std::optional<int> option;  // lepton-cert run --threads-per-rank
  std::optional<int> omp_num_threads;  // OMP_NUM_THREADS, when the user set it
};

// CpuThreads::source's values, one per rule of ChooseCpuThreads. The report writes them
// (run.cpu_threads.source, an enum in spec/schema/report.schema.json) and its renderers put each
// in words, so both sides name them from here.
inline constexpr std::string_view kThreadsFromOption = "--threads-per-rank";
inline constexpr std::string_view kThreadsFromOmpNumThreads = "OMP_NUM_THREADS";
inline constexpr std::string_view kThreadsNodeShare = "cores / local ranks";
inline constexpr std::string_view kThreadsAloneOnNode = "one rank on the node: all cores";

struct CpuThreads {
  int per_rank = 1;         // while every rank computes (data-parallel workloads, collectives)
  int rank_zero_alone = 1;  // while rank 0 runs a single-rank workload alone
  std::string source;       // one of the kThreads* above; empty when not chosen
  // False: the libraries keep what they chose themselves (all the process's cores, or
  // OMP_NUM_THREADS, which OpenMP and OpenBLAS read); nothing is set.
  bool apply = false;
  int node_cpus = 0;  // the inputs the choice came from, for the report
  int local_ranks = 1;
};

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
