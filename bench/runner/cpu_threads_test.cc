#include "bench/runner/cpu_threads.h"

#include <cblas.h>
#include <gtest/gtest.h>
#include <omp.h>

namespace lepton::bench {
namespace {

TEST(CpuThreadsTest, RanksOnOneNodeShareItsCores) {
  // The case: two unbound ranks on a 2-core machine, one thread each.
  const CpuThreads two = ChooseCpuThreads({.rank_cpus = 2, .node_cpus = 2, .local_ranks = 2});
  EXPECT_EQ(two.per_rank, 1);
  EXPECT_EQ(two.rank_zero_alone, 2);  // a single-rank workload keeps rank 0's cores
  EXPECT_EQ(two.source, "cores / local ranks");
  EXPECT_TRUE(two.apply);
  EXPECT_EQ(two.node_cpus, 2);
  EXPECT_EQ(two.local_ranks, 2);
  // 64 cores over 3 ranks: the remainder stays idle rather than oversubscribing.
  EXPECT_EQ(ChooseCpuThreads({.rank_cpus = 64, .node_cpus = 64, .local_ranks = 3}).per_rank, 21);
}

TEST(CpuThreadsTest, MoreRanksThanCoresGetOneThreadEach) {
  const CpuThreads many = ChooseCpuThreads({.rank_cpus = 2, .node_cpus = 2, .local_ranks = 8});
  EXPECT_EQ(many.per_rank, 1);
  EXPECT_TRUE(many.apply);
}

TEST(CpuThreadsTest, ALaunchersBindingCapsTheShare) {
  // Open MPI's --bind-to socket, 8 ranks on two 32-core sockets: each mask holds its socket, the
  // node 64 CPUs, so 8 threads each, not 32 (four ranks share a socket).
  EXPECT_EQ(ChooseCpuThreads({.rank_cpus = 32, .node_cpus = 64, .local_ranks = 8}).per_rank, 8);
  // --bind-to core: one CPU each, whatever the node has.
  const CpuThreads core = ChooseCpuThreads({.rank_cpus = 1, .node_cpus = 2, .local_ranks = 2});
  EXPECT_EQ(core.per_rank, 1);
  EXPECT_EQ(core.rank_zero_alone, 1);
}

TEST(CpuThreadsTest, OneRankOnTheNodeKeepsAllItsCores) {
  const CpuThreads alone = ChooseCpuThreads({.rank_cpus = 16, .node_cpus = 16, .local_ranks = 1});
  EXPECT_EQ(alone.per_rank, 16);
  EXPECT_EQ(alone.rank_zero_alone, 16);
  EXPECT_EQ(alone.source, "one rank on the node: all cores");
  EXPECT_FALSE(alone.apply);  // the libraries' own default is already that
}

TEST(CpuThreadsTest, TheUsersSettingWins) {
  const CpuThreads omp =
      ChooseCpuThreads({.rank_cpus = 8, .node_cpus = 8, .local_ranks = 2, .omp_num_threads = 3});
  EXPECT_EQ(omp.per_rank, 3);
  EXPECT_EQ(omp.rank_zero_alone, 3);
  EXPECT_EQ(omp.source, "OMP_NUM_THREADS");
  EXPECT_FALSE(omp.apply);  // OpenMP and OpenBLAS read it themselves
  const CpuThreads option = ChooseCpuThreads(
      {.rank_cpus = 8, .node_cpus = 8, .local_ranks = 2, .option = 6, .omp_num_threads = 3});
  EXPECT_EQ(option.per_rank, 6);
  EXPECT_EQ(option.rank_zero_alone, 6);
  EXPECT_EQ(option.source, "--threads-per-rank");
  EXPECT_TRUE(option.apply);
  // Asked for, it applies to a single rank too, even beyond its cores.
  const CpuThreads single =
      ChooseCpuThreads({.rank_cpus = 2, .node_cpus = 2, .local_ranks = 1, .option = 4});
  EXPECT_EQ(single.per_rank, 4);
  EXPECT_TRUE(single.apply);
}

TEST(CpuThreadsTest, UnknownCpuCountsCountAsOne) {
  const CpuThreads unknown = ChooseCpuThreads({.rank_cpus = 0, .node_cpus = 0, .local_ranks = 2});
  EXPECT_EQ(unknown.per_rank, 1);
  EXPECT_EQ(unknown.rank_zero_alone, 1);
  EXPECT_EQ(unknown.node_cpus, 1);
}

TEST(CpuThreadsTest, OmpNumThreadsAsOpenMpReadsIt) {
  EXPECT_EQ(ParseOmpNumThreads(nullptr), std::nullopt);
  EXPECT_EQ(ParseOmpNumThreads("1"), 1);
  EXPECT_EQ(ParseOmpNumThreads(" 4 "), 4);
  EXPECT_EQ(ParseOmpNumThreads("4,2"), 4);  // nested levels: the outer one
  EXPECT_EQ(ParseOmpNumThreads(""), std::nullopt);
  EXPECT_EQ(ParseOmpNumThreads("0"), std::nullopt);
  EXPECT_EQ(ParseOmpNumThreads("-2"), std::nullopt);
  EXPECT_EQ(ParseOmpNumThreads("two"), std::nullopt);
}

TEST(CpuThreadsTest, SetCpuThreadsReachesOpenMpAndOpenBlas) {
  const int omp_before = omp_get_max_threads();
  const int blas_before = openblas_get_num_threads();
  SetCpuThreads(1);
  EXPECT_EQ(omp_get_max_threads(), 1);
  EXPECT_EQ(openblas_get_num_threads(), 1);
  int in_region = 0;
#pragma omp parallel
  {
#pragma omp single
    in_region = omp_get_num_threads();
  }
  EXPECT_EQ(in_region, 1);
  omp_set_num_threads(omp_before);
  openblas_set_num_threads(blas_before);
}

}  // namespace
}  // namespace lepton::bench
