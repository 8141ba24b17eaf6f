#pragma once
// What the run recorded about its CPU threads per rank: the choice bench/runner/cpu_threads.h
// makes, stored in the report (run.cpu_threads) and put in words by its renderers. A plain
// record below bench/ and reports/, so the reports read it without including the runner.

#include <string>
#include <string_view>

namespace lepton::records {

// CpuThreads::source's values, one per rule of ChooseCpuThreads (bench/runner). The report writes
// them (run.cpu_threads.source, an enum in spec/schema/report.schema.json) and its renderers put
// each in words, so both sides name them from here.
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

}  // namespace lepton::records
