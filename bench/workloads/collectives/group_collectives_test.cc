// The collectives workload over a single-process group (comm: nccl-local), with the fake group on
// host memory posing as one device per rank (fake_group_for_tests.h). The NCCL group itself
// needs GPUs (bench/backends/cuda_nccl_test.cc).

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bench/api/run_workload_for_tests.h"
#include "bench/comm/idle_communicator_for_tests.h"
#include "bench/comm/self_communicator.h"
#include "bench/workloads/collectives/collective_cases_for_tests.h"
#include "bench/workloads/collectives/collective_ops.h"
#include "bench/workloads/collectives/collectives_workload.h"
#include "bench/workloads/collectives/fake_group_for_tests.h"

namespace lepton::bench {
namespace {

WorkloadContext GroupSweep(Communicator* host, CommunicatorGroup* group) {
  WorkloadContext context;
  context.params = EveryCollectiveSweepParams(1024, {"float32", "bf16"});
  context.device = "cuda";
  context.communicator = host;
  context.device_group = group;
  return context;
}

// Float32 out-of-place AllReduce alone, for the tests that count calls or elements.
WorkloadContext AllReduceOnlySweep(Communicator* host, CommunicatorGroup* group) {
  WorkloadContext context = GroupSweep(host, group);
  context.params["ops"] = std::vector<std::string>{"allreduce"};
  context.params["placements"] = std::vector<std::string>{"out_of_place"};
  context.params["dtypes"] = std::vector<std::string>{"float32"};
  return context;
}

TEST(GroupCollectivesWorkloadTest, EveryRankOfTheGroupRunsEveryOperationExactly) {
  constexpr int kRanks = 3;
  FakeGroup group(kRanks);
  auto host = MakeSelfCommunicator();
  auto workload = MakeCollectivesWorkload();
  const Status prepared = workload->Prepare(GroupSweep(host.get(), &group));
  ASSERT_TRUE(prepared.ok()) << prepared.ToString();
  const auto metrics = RunWithStepTimes(*workload, 1e-3);
  ASSERT_TRUE(metrics.has_value()) << metrics.error().ToString();
  EXPECT_TRUE(group.violations.empty()) << group.violations.front();
  EXPECT_EQ(std::get<double>(metrics->values.at("wrong_elements")), 0.0);
  EXPECT_EQ(std::get<double>(metrics->values.at("ranks")), kRanks);
  EXPECT_EQ(std::get<std::string>(metrics->values.at("communicator")), "fake-group");
  EXPECT_EQ(std::get<std::string>(metrics->values.at("buffers")), "fake:0, fake:1, fake:2");
  // 2 types x 7 operations x 2 placements x 9 sizes (4 B .. 1 KiB); per point warm-up 1 +
  // timed 2 + check 1 group calls of one call per rank, and 3 waits (warm-up, timed, check).
  constexpr int kPoints = 2 * 7 * 2 * 9;
  EXPECT_EQ(group.rank_calls, kPoints * 4 * kRanks);
  EXPECT_EQ(group.synchronizations, kPoints * 3);
  // With 3 ranks the bus bandwidths are defined.
  EXPECT_TRUE(metrics->values.contains("allreduce_busbw_at_max_gbps"));
  for (int r = 0; r < kRanks; ++r) EXPECT_EQ(group.rank_memory(r).live(), 0U) << "rank " << r;
}

// one_rank_max_bytes is for a rank alone: two ranks have a peer and sweep to max_bytes.
TEST(GroupCollectivesWorkloadTest, TwoRanksIgnoreTheOneRankBound) {
  FakeGroup group(2);
  auto host = MakeSelfCommunicator();
  WorkloadContext context = AllReduceOnlySweep(host.get(), &group);
  context.params["one_rank_max_bytes"] = std::int64_t{8};
  auto workload = MakeCollectivesWorkload();
  ASSERT_TRUE(workload->Prepare(context).ok());
  const auto metrics = RunWithStepTimes(*workload, 1e-3);
  ASSERT_TRUE(metrics.has_value()) << metrics.error().ToString();
  EXPECT_EQ(std::get<double>(metrics->values.at("largest_message_bytes")), 1024.0);
  EXPECT_EQ(metrics->series.at("allreduce_out_of_place_bytes").size(), 9U);  // 4 B .. 1 KiB
}

TEST(GroupCollectivesWorkloadTest, EachIterationIsOneGroupCallAndEachStepWaitsOnce) {
  FakeGroup group(2);
  auto host = MakeSelfCommunicator();
  WorkloadContext context = AllReduceOnlySweep(host.get(), &group);
  context.params["max_bytes"] = std::int64_t{4};
  context.params["iters"] = std::int64_t{3};
  auto workload = MakeCollectivesWorkload();
  ASSERT_TRUE(workload->Prepare(context).ok());
  const auto metrics = RunWithStepTimes(*workload, 1e-3);
  ASSERT_TRUE(metrics.has_value()) << metrics.error().ToString();
  EXPECT_TRUE(group.violations.empty()) << group.violations.front();
  // Warm-up: one group call, wait. Timed: three group calls, one wait. Check: one, wait.
  EXPECT_EQ(group.log,
            "S01EW"
            "S01ES01ES01EW"
            "S01EW");
}

TEST(GroupCollectivesWorkloadTest, WrongElementsAreSummedOverTheDevices) {
  FakeGroup group(3);
  group.idle_rank = 2;  // rank 2's results are never written: its sentinels stay
  auto host = MakeSelfCommunicator();
  WorkloadContext context = AllReduceOnlySweep(host.get(), &group);
  context.params["max_bytes"] = std::int64_t{16};
  auto workload = MakeCollectivesWorkload();
  ASSERT_TRUE(workload->Prepare(context).ok());
  const auto metrics = RunWithStepTimes(*workload, 1e-3);
  ASSERT_TRUE(metrics.has_value()) << metrics.error().ToString();
  // 1, 2 and 4 elements (4, 8 and 16 B), all wrong on rank 2 alone.
  EXPECT_EQ(std::get<double>(metrics->values.at("wrong_elements")), 1.0 + 2.0 + 4.0);
}

TEST(GroupCollectivesWorkloadTest, TheReasonTheGroupCouldNotBeMadeIsNotMeasured) {
  auto host = MakeSelfCommunicator();
  WorkloadContext context = GroupSweep(host.get(), nullptr);
  context.device_status = UnavailableError("no CUDA device to run on: cudaGetDeviceCount: ...");
  auto workload = MakeCollectivesWorkload();
  const Status prepared = workload->Prepare(context);
  EXPECT_EQ(prepared.code(), StatusCode::kUnavailable);
  EXPECT_NE(prepared.message().find("no CUDA device"), std::string::npos) << prepared.message();
}

TEST(GroupCollectivesWorkloadTest, AGroupUnderSeveralProcessesIsRefused) {
  // A host communicator of two ranks: the single-process group cannot span them.
  IdleCommunicator two("two", 0, 2);
  FakeGroup group(2);
  auto workload = MakeCollectivesWorkload();
  const Status prepared = workload->Prepare(GroupSweep(&two, &group));
  EXPECT_EQ(prepared.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(prepared.message().find("one process"), std::string::npos) << prepared.message();
}

}  // namespace
}  // namespace lepton::bench
