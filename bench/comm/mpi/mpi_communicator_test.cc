// Runs under `mpiexec -n N` (CTest registers N = 2 and 4): every collective of the MPI backend
// on every rank, checked against exactly computed values. Its own main, because MPI is
// initialized once per process and must outlive every test.
#include "bench/comm/mpi/mpi_communicator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <numeric>
#include <vector>

#include "bench/backends/cpu/cpu_regression.h"
#include "bench/comm/bfloat16.h"
#include "bench/comm/node_layout.h"
#include "bench/comm/run_gpus.h"
#include "bench/comm/string_gather.h"
#include "bench/workloads/collectives/collective_cases_for_tests.h"
#include "bench/workloads/collectives/collective_ops.h"
#include "bench/workloads/collectives/collectives_workload.h"
#include "bench/workloads/collectives/fake_group_for_tests.h"
#include "bench/workloads/linear_regression/data_parallel_regression_workload.h"
#include "bench/workloads/linear_regression/regression_sources.h"
#include "bench/workloads/mnist_mlp/data_parallel_ranks.h"
#include "bench/workloads/mnist_mlp/split_equivalence.h"
#include "bench/workloads/mnist_mlp/split_models_for_tests.h"
#include "bench/workloads/mnist_mlp/split_training.h"

namespace lepton::bench {
namespace {

Communicator* world = nullptr;  // owned by main, alive for every test

TEST(MpiCommunicatorTest, WorldMatchesTheLauncher) {
  EXPECT_EQ(world->name(), "mpi");
  const char* size = std::getenv("OMPI_COMM_WORLD_SIZE");
  ASSERT_NE(size, nullptr) << "run this test under mpiexec";
  EXPECT_EQ(world->size(), std::atoi(size));
  EXPECT_GE(world->rank(), 0);
  EXPECT_LT(world->rank(), world->size());
}

// Hand-computed, independent of collective_ops: sums, max and min of rank + 1.
TEST(MpiCommunicatorTest, AllReduceOfRankPlusOne) {
  const int n = world->size();
  const double mine = world->rank() + 1;
  double sum = 0;
  ASSERT_TRUE(world->AllReduce(&mine, &sum, 1, DataType::kFloat64, ReduceOp::kSum).ok());
  EXPECT_EQ(sum, n * (n + 1) / 2);
  double max = 0;
  ASSERT_TRUE(world->AllReduce(&mine, &max, 1, DataType::kFloat64, ReduceOp::kMax).ok());
  EXPECT_EQ(max, n);
  std::int64_t minimum = world->rank() + 1;
  ASSERT_TRUE(world->AllReduce(&minimum, &minimum, 1, DataType::kInt64, ReduceOp::kMin).ok());
  EXPECT_EQ(minimum, 1);
}

// bf16 through MPI's 2-byte type and user operations, hand-computed: rank + 1 and 0.5 / (rank
// + 1) rounded to bf16 (max and min pick elements, exactly).
TEST(MpiCommunicatorTest, Bfloat16SumMaxAndMinOfRankPlusOne) {
  const int n = world->size();
  const std::uint16_t mine = FloatToBfloat16(static_cast<float>(world->rank() + 1));
  std::uint16_t sum = 0;
  ASSERT_TRUE(world->AllReduce(&mine, &sum, 1, DataType::kBfloat16, ReduceOp::kSum).ok());
  EXPECT_EQ(Bfloat16ToFloat(sum), static_cast<float>(n * (n + 1)) / 2);
  std::vector<std::uint16_t> pair = {mine,
                                     FloatToBfloat16(0.5F / static_cast<float>(world->rank() + 1))};
  std::vector<std::uint16_t> max(2, 0);
  std::vector<std::uint16_t> min(2, 0);
  ASSERT_TRUE(
      world->AllReduce(pair.data(), max.data(), 2, DataType::kBfloat16, ReduceOp::kMax).ok());
  ASSERT_TRUE(
      world->AllReduce(pair.data(), min.data(), 2, DataType::kBfloat16, ReduceOp::kMin).ok());
  EXPECT_EQ(Bfloat16ToFloat(max[0]), static_cast<float>(n));
  EXPECT_EQ(max[1], FloatToBfloat16(0.5F));
  EXPECT_EQ(Bfloat16ToFloat(min[0]), 1.0F);
  EXPECT_EQ(min[1], FloatToBfloat16(0.5F / static_cast<float>(n)));
  // In place and gathered: the 2-byte type moves whole elements.
  std::vector<std::uint16_t> all(static_cast<std::size_t>(n), 0);
  ASSERT_TRUE(world->AllGather(&mine, all.data(), 1, DataType::kBfloat16).ok());
  for (int r = 0; r < n; ++r) EXPECT_EQ(Bfloat16ToFloat(all[r]), static_cast<float>(r + 1));
}

TEST(MpiCommunicatorTest, AllGatherOfRanksIsInRankOrder) {
  const std::int64_t mine = world->rank();
  std::vector<std::int64_t> all(static_cast<std::size_t>(world->size()), -1);
  ASSERT_TRUE(world->AllGather(&mine, all.data(), 1, DataType::kInt64).ok());
  std::vector<std::int64_t> expected(all.size());
  std::iota(expected.begin(), expected.end(), 0);
  EXPECT_EQ(all, expected);
}

// Strings of different lengths (rank r sends r + 1 letters, cut at 3) arrive in rank order.
TEST(MpiCommunicatorTest, StringsOfEveryRankArriveInRankOrder) {
  const std::string mine(static_cast<std::size_t>(world->rank()) + 1,
                         static_cast<char>('a' + world->rank()));
  const auto all = AllGatherStrings(*world, mine, 3);
  ASSERT_TRUE(all.has_value()) << all.error().ToString();
  ASSERT_EQ(all->size(), static_cast<std::size_t>(world->size()));
  for (int r = 0; r < world->size(); ++r) {
    EXPECT_EQ((*all)[r], std::string(std::min(r + 1, 3), static_cast<char>('a' + r)));
  }
}

// Every rank of this test runs on one host: one node, local ranks in rank order, and the
// launcher's figures agree.
TEST(MpiCommunicatorTest, TheRanksOfOneHostAreOneNode) {
  const auto layout = GatherNodeLayout(*world);
  ASSERT_TRUE(layout.has_value()) << layout.error().ToString();
  EXPECT_EQ(layout->nodes, 1);
  EXPECT_EQ(layout->local_ranks, world->size());
  EXPECT_EQ(layout->local_rank, world->rank());
  const EnvironmentLookup environment = [](const char* name) { return std::getenv(name); };
  const auto stated = LauncherNodeCount(environment);
  ASSERT_TRUE(stated.has_value());
  EXPECT_EQ(stated->value, 1) << stated->source;
  const auto local = LauncherLocalRank(environment);
  ASSERT_TRUE(local.has_value());
  EXPECT_EQ(local->value, world->rank()) << local->source;
}

// As under srun --gpus-per-task=1: each rank sees one GPU of its own (made-up bus ids), so the
// run counts one per rank; every rank gets the same view in rank order.
TEST(MpiCommunicatorTest, EveryRanksGpusArriveAndCountOnce) {
  const RankGpus mine{"node", {"0000:0" + std::to_string(world->rank()) + ":00.0"}, 0};
  const auto views = GatherRankGpus(*world, mine);
  ASSERT_TRUE(views.has_value()) << views.error().ToString();
  ASSERT_EQ(views->size(), static_cast<std::size_t>(world->size()));
  for (int r = 0; r < world->size(); ++r) {
    EXPECT_EQ((*views)[r].pci_bus_ids,
              std::vector<std::string>{"0000:0" + std::to_string(r) + ":00.0"});
  }
  EXPECT_EQ(CountRunGpus(*views), world->size());
  EXPECT_EQ(SharedGpus(*views), "");
}

TEST(MpiCommunicatorTest, BarrierReturnsOnEveryRank) {
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(world->Barrier().ok());
}

TEST(MpiCommunicatorTest, RootOutsideTheWorldIsAnError) {
  float value = 0;
  EXPECT_FALSE(world->Broadcast(&value, &value, 1, DataType::kFloat32, world->size()).ok());
}

class MpiEveryCollectiveTest : public ::testing::TestWithParam<CollectiveCaseParam> {};

TEST_P(MpiEveryCollectiveTest, ExactOnEveryRank) {
  const auto [kind, in_place, type] = GetParam();
  // 1 and 7 elements take the small-message paths, 65537 the large ones (and is odd).
  for (std::size_t block : {1u, 7u, 1024u, 65537u}) {
    CollectiveCase collective(kind, block, in_place, world->rank(), world->size(), type);
    collective.Fill();
    ASSERT_TRUE(collective.Run(*world).ok());
    std::int64_t wrong = collective.CountWrong();
    ASSERT_TRUE(world->AllReduce(&wrong, &wrong, 1, DataType::kInt64, ReduceOp::kSum).ok());
    EXPECT_EQ(wrong, 0) << CollectiveName(kind) << (in_place ? " in place" : " out of place")
                        << ", block " << block;
  }
}

INSTANTIATE_TEST_SUITE_P(AllOps, MpiEveryCollectiveTest, EveryCollectiveCase(), CollectiveCaseName);

// The workload on every rank, with step times that differ per rank instead of a clock: the time
// per call is the slowest rank's, and the wrong elements are summed over ranks.
TEST(MpiCollectivesWorkloadTest, SlowestRankTimesTheSweepAndEveryRankIsChecked) {
  WorkloadContext context;
  context.params = {
      {"ops", std::vector<std::string>{"allreduce", "reducescatter", "alltoall", "sendrecv"}},
      {"placements", std::vector<std::string>{"out_of_place", "in_place"}},
      {"min_bytes", std::int64_t{8}},
      {"max_bytes", std::int64_t{65536}},
      {"dtypes", std::vector<std::string>{"float32", "bf16"}},
      {"warmup_iters", std::int64_t{2}},
      {"iters", std::int64_t{4}},
  };
  context.communicator = world;
  auto workload = MakeCollectivesWorkload();
  ASSERT_TRUE(workload->Prepare(context).ok());
  const std::size_t steps = workload->StepNames().size();
  ASSERT_TRUE(workload->BeginRun(0).ok());
  for (std::size_t step = 0; step < steps; ++step) {
    ASSERT_TRUE(workload->RunStep(step).ok());
    ASSERT_TRUE(workload->AfterStep(step).ok());
  }
  const double my_seconds = 0.001 * (world->rank() + 1);
  auto metrics = workload->FinishRun(std::vector<double>(steps, my_seconds));
  ASSERT_TRUE(metrics.has_value()) << metrics.error().ToString();
  const int n = world->size();
  EXPECT_EQ(std::get<double>(metrics->values.at("ranks")), n);
  EXPECT_EQ(std::get<std::string>(metrics->values.at("communicator")), "mpi");
  EXPECT_EQ(std::get<double>(metrics->values.at("wrong_elements")), 0.0);
  const double slowest_per_call = 0.001 * n / 4;
  EXPECT_DOUBLE_EQ(std::get<double>(metrics->values.at("allreduce_small_latency_us")),
                   slowest_per_call * 1e6);
  EXPECT_DOUBLE_EQ(std::get<double>(metrics->values.at("allreduce_busbw_at_max_gbps")),
                   65536 / slowest_per_call / 1e9 * 2.0 * (n - 1) / n);
  // bf16 swept too, under its own names, from the same slowest rank.
  EXPECT_DOUBLE_EQ(std::get<double>(metrics->values.at("allreduce_bf16_busbw_at_max_gbps")),
                   65536 / slowest_per_call / 1e9 * 2.0 * (n - 1) / n);
  EXPECT_TRUE(metrics->values.contains("alltoall_bf16_busbw_peak_gbps"));
}

// Equivalence: rows split over the ranks give the single-rank coefficients within 1e-6
// relative, the reference computed here independently from the same seeded data.
TEST(MpiDataParallelRegressionTest, CoefficientsEqualTheSingleRankSolution) {
  WorkloadContext context;
  context.params = {
      {"dataset.rows", std::int64_t{50000}},
      {"dataset.features", std::int64_t{16}},
      {"dataset.noise_sigma", 0.5},
      {"dataset.holdout_fraction", 0.05},
      {"model.intercept", true},
      {"precision", std::string("fp64")},
      {"seed", std::int64_t{20261123}},
  };
  context.communicator = world;
  auto workload = MakeDataParallelRegressionWorkload();
  ASSERT_TRUE(workload->Prepare(context).ok());
  ASSERT_TRUE(workload->BeginRun(0).ok());
  for (std::size_t step = 0; step < 2; ++step) {
    ASSERT_TRUE(workload->RunStep(step).ok());
    ASSERT_TRUE(workload->AfterStep(step).ok());
  }
  const std::vector<double> seconds = {0.01, 0.01};
  auto metrics = workload->FinishRun(seconds);
  ASSERT_TRUE(metrics.has_value()) << metrics.error().ToString();
  EXPECT_EQ(std::get<double>(metrics->values.at("ranks")), world->size());
  EXPECT_LE(std::get<double>(metrics->values.at("coef_max_rel_diff_single_rank")), 1e-6);

  auto data = GenerateSynthetic({.rows = 50000,
                                 .features = 16,
                                 .noise_sigma = 0.5,
                                 .holdout_fraction = 0.05,
                                 .seed = 20261123});
  ASSERT_TRUE(data.has_value());
  NormalEquationsSolver solver;
  auto single_rank = solver.Solve(*data, true);
  ASSERT_TRUE(single_rank.has_value());
  const std::vector<double>& parallel = metrics->series.at("coefficients");
  ASSERT_EQ(parallel.size(), single_rank->size());
  for (std::size_t i = 0; i < parallel.size(); ++i) {
    EXPECT_NEAR(parallel[i], (*single_rank)[i], 1e-6 * std::abs((*single_rank)[i])) << i;
  }
}

// The data-parallel MLP's two layouts give the same weights: one rank per process (this
// process's CPU model, its gradients all-reduced over MPI) and NCCL's single-process mode (rank
// 0 alone drives one CPU model per rank through the fake group on host memory), over 100 steps
// of a 640-item set in global batches of 64. With two ranks both sums are one float addition,
// so the weights agree bit for bit. With four, MPI sums in float in an order of its own
// choosing (the algorithm depends on the implementation and the message size, e.g. pairs first)
// while the fake sums in double and rounds once, so the gradients differ by float32 rounding (an
// ulp or so) and Adam carries that on: a third of the weights differ, by 4e-8 relative (Open MPI
// 4.1, 2 cores); the bound is 1e-6, a tenth of PERF-MLP-DP-WEIGHTS' for the split itself.
TEST(MpiDataParallelMlpTest, OneRankPerProcessAndASingleProcessGroupGiveTheSameWeights) {
  const int n = world->size();
  const SplitTestData data = MakeSplitTestData({64, 16, 10}, 640, 3);
  SplitTraining training;
  training.epochs = 10;
  training.batch_size = 64;
  training.seed = 4;
  std::vector<std::int32_t> order(640);
  auto mine = MakeSplitTestModel(data, 64, 5);
  ASSERT_TRUE(mine.has_value()) << mine.error().ToString();
  auto per_process = TrainSplit(*MakeProcessRank(**mine, *world), training, order);
  ASSERT_TRUE(per_process.has_value()) << per_process.error().ToString();
  EXPECT_EQ(per_process->steps, 100);
  if (world->rank() != 0) return;
  auto models = MakeSplitTestModels(data, n, 64, 5);
  ASSERT_TRUE(models.has_value()) << models.error().ToString();
  FakeGroup group(n);
  group.host_buffers_allowed = true;
  auto grouped = TrainSplit(*MakeGroupRanks(models->models, group), training, order);
  ASSERT_TRUE(grouped.has_value()) << grouped.error().ToString();
  EXPECT_EQ(grouped->steps, 100);
  const std::vector<float>& a = grouped->weights;
  const std::vector<float>& b = per_process->weights;
  ASSERT_EQ(a.size(), b.size());
  std::size_t unequal = 0;
  for (std::size_t i = 0; i < a.size(); ++i) unequal += a[i] != b[i] ? 1 : 0;
  const double difference = RelativeL2Difference(a, b);
  std::printf("%d ranks: %zu of %zu weights differ, relative L2 difference %.3g\n", n, unequal,
              a.size(), difference);
  if (n == 2) {
    EXPECT_EQ(a, b);
  } else {
    EXPECT_LE(difference, 1e-6);
  }
}

}  // namespace
}  // namespace lepton::bench

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  auto world = lepton::bench::MakeMpiWorldCommunicator();
  if (!world) {
    std::fprintf(stderr, "cannot start MPI: %s\n", world.error().ToString().c_str());
    return 2;
  }
  lepton::bench::world = world->get();
  // One rank prints; every rank still fails the run (mpiexec's exit code) when its checks fail.
  if ((*world)->rank() != 0) {
    delete ::testing::UnitTest::GetInstance()->listeners().Release(
        ::testing::UnitTest::GetInstance()->listeners().default_result_printer());
  }
  const int result = RUN_ALL_TESTS();
  world->reset();  // finalizes MPI
  return result;
}
