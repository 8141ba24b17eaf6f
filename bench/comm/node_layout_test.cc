#include "bench/comm/node_layout.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "bench/comm/self_communicator.h"

namespace lepton::bench {
namespace {

// An environment of the test's own making instead of the process's.
EnvironmentLookup Environment(std::map<std::string, std::string> variables) {
  return [variables = std::move(variables)](const char* name) -> const char* {
    const auto it = variables.find(name);
    return it == variables.end() ? nullptr : it->second.c_str();
  };
}

TEST(NodeLayoutTest, HostnamesGiveNodesAndLocalRanks) {
  // Two nodes, ranks interleaved as --map-by node places them, and a third with one rank.
  const std::vector<std::string> hosts = {"a", "b", "a", "b", "c"};
  const NodeLayout rank0 = LayoutFromHostnames(hosts, 0);
  EXPECT_EQ(rank0.nodes, 3);
  EXPECT_EQ(rank0.local_rank, 0);
  EXPECT_EQ(rank0.local_ranks, 2);
  const NodeLayout rank3 = LayoutFromHostnames(hosts, 3);
  EXPECT_EQ(rank3.local_rank, 1);
  EXPECT_EQ(rank3.local_ranks, 2);
  const NodeLayout rank4 = LayoutFromHostnames(hosts, 4);
  EXPECT_EQ(rank4.local_rank, 0);
  EXPECT_EQ(rank4.local_ranks, 1);
}

TEST(NodeLayoutTest, OneHostIsOneNode) {
  const std::vector<std::string> hosts(4, "gpu-node");
  const NodeLayout layout = LayoutFromHostnames(hosts, 2);
  EXPECT_EQ(layout.nodes, 1);
  EXPECT_EQ(layout.local_rank, 2);
  EXPECT_EQ(layout.local_ranks, 4);
}

TEST(NodeLayoutTest, AloneTheGatheredLayoutIsOneNodeOneRank) {
  auto self = MakeSelfCommunicator();
  const auto layout = GatherNodeLayout(*self);
  ASSERT_TRUE(layout.has_value()) << layout.error().ToString();
  EXPECT_EQ(layout->nodes, 1);
  EXPECT_EQ(layout->local_rank, 0);
  EXPECT_EQ(layout->local_ranks, 1);
  // Alone, the node's CPUs are this process's.
  EXPECT_GT(layout->cpus, 0);
  EXPECT_EQ(layout->node_cpus, layout->cpus);
}

TEST(NodeLayoutTest, CpuMaskTextIsHexFourCpusADigit) {
  EXPECT_EQ(CpuMaskText(std::vector<int>{0}), "1");
  EXPECT_EQ(CpuMaskText(std::vector<int>{0, 1, 2, 3}), "f");
  EXPECT_EQ(CpuMaskText(std::vector<int>{1, 4, 5}), "23");
  EXPECT_EQ(CpuMaskText(std::vector<int>{11}), "008");
  EXPECT_EQ(CpuMaskText(std::vector<int>{}), "");  // unknown
}

TEST(NodeLayoutTest, NodeCpusAreTheUnionOfTheLocalRanksMasks) {
  const std::vector<std::string> hosts = {"a", "a", "b", "a"};
  // Unbound (--bind-to none): every rank of a sees CPUs 0-7, so a has 8.
  const std::vector<std::string> unbound = {"ff", "ff", "f", "ff"};
  EXPECT_EQ(NodeCpusFromMasks(hosts, unbound, 0), 8);
  EXPECT_EQ(NodeCpusFromMasks(hosts, unbound, 2), 4);
  // Bound one core each (Open MPI's default for two ranks): a's ranks hold CPUs 0, 1 and 4.
  const std::vector<std::string> bound = {"1", "2", "1", "01"};
  EXPECT_EQ(NodeCpusFromMasks(hosts, bound, 3), 3);
  EXPECT_EQ(NodeCpusFromMasks(hosts, bound, 2), 1);
  // Bound per socket, overlapping: 0-3 and 0-7 make 8.
  EXPECT_EQ(NodeCpusFromMasks(hosts, std::vector<std::string>{"f", "ff", "1", "f"}, 1), 8);
}

TEST(NodeLayoutTest, AnUnknownLocalMaskLeavesTheNodesCpusUnknown) {
  const std::vector<std::string> hosts = {"a", "a", "b"};
  EXPECT_EQ(NodeCpusFromMasks(hosts, std::vector<std::string>{"f", "", "f"}, 0), 0);
  EXPECT_EQ(NodeCpusFromMasks(hosts, std::vector<std::string>{"f", "x", "f"}, 0), 0);
  // Another node's unknown mask does not matter here.
  EXPECT_EQ(NodeCpusFromMasks(hosts, std::vector<std::string>{"f", "0f", ""}, 1), 8);
}

TEST(NodeLayoutTest, SrunStatesTheStepsNodes) {
  const auto nodes = LauncherNodeCount(
      Environment({{"SLURM_STEP_NUM_NODES", "4"}, {"SLURM_NNODES", "8"}, {"SLURM_STEP_ID", "0"}}));
  ASSERT_TRUE(nodes.has_value());
  EXPECT_EQ(nodes->value, 4);
  EXPECT_EQ(nodes->source, "SLURM_STEP_NUM_NODES");
}

TEST(NodeLayoutTest, SlurmNnodesCountsOnlyInsideAStep) {
  // sbatch's script (no step) sees the job's nodes, not those of an mpirun it starts.
  EXPECT_FALSE(LauncherNodeCount(Environment({{"SLURM_NNODES", "8"}})).has_value());
  const auto nodes =
      LauncherNodeCount(Environment({{"SLURM_NNODES", "8"}, {"SLURM_STEP_ID", "3"}}));
  ASSERT_TRUE(nodes.has_value());
  EXPECT_EQ(nodes->value, 8);
  EXPECT_EQ(nodes->source, "SLURM_NNODES");
}

TEST(NodeLayoutTest, OpenMpiWorldOverLocalSize) {
  const auto nodes = LauncherNodeCount(
      Environment({{"OMPI_COMM_WORLD_SIZE", "16"}, {"OMPI_COMM_WORLD_LOCAL_SIZE", "8"}}));
  ASSERT_TRUE(nodes.has_value());
  EXPECT_EQ(nodes->value, 2);
  EXPECT_EQ(nodes->source, "OMPI_COMM_WORLD_SIZE / OMPI_COMM_WORLD_LOCAL_SIZE");
  // Uneven placement (5 ranks, 2 here): the ratio says nothing exact, so nothing is claimed.
  EXPECT_FALSE(LauncherNodeCount(Environment({{"OMPI_COMM_WORLD_SIZE", "5"},
                                              {"OMPI_COMM_WORLD_LOCAL_SIZE", "2"}}))
                   .has_value());
}

TEST(NodeLayoutTest, MalformedOrAbsentVariablesClaimNothing) {
  EXPECT_FALSE(LauncherNodeCount(Environment({})).has_value());
  EXPECT_FALSE(LauncherNodeCount(Environment({{"SLURM_STEP_NUM_NODES", "two"}})).has_value());
  EXPECT_FALSE(LauncherNodeCount(Environment({{"SLURM_STEP_NUM_NODES", "0"}})).has_value());
  EXPECT_FALSE(LauncherNodeCount(Environment({{"OMPI_COMM_WORLD_SIZE", "4"},
                                              {"OMPI_COMM_WORLD_LOCAL_SIZE", "0"}}))
                   .has_value());
  EXPECT_FALSE(LauncherLocalRank(Environment({{"SLURM_LOCALID", "-1"}})).has_value());
}

TEST(NodeLayoutTest, LocalRankFromTheLauncher) {
  EXPECT_FALSE(LauncherLocalRank(Environment({})).has_value());
  const auto ompi =
      LauncherLocalRank(Environment({{"OMPI_COMM_WORLD_LOCAL_RANK", "3"}, {"SLURM_LOCALID", "0"}}));
  ASSERT_TRUE(ompi.has_value());
  EXPECT_EQ(ompi->value, 3);
  EXPECT_EQ(ompi->source, "OMPI_COMM_WORLD_LOCAL_RANK");
  const auto slurm = LauncherLocalRank(Environment({{"SLURM_LOCALID", "1"}}));
  ASSERT_TRUE(slurm.has_value());
  EXPECT_EQ(slurm->value, 1);
}

}  // namespace
}  // namespace lepton::bench
