#include "bench/workloads/collectives/collectives_workload.h"

#include <gtest/gtest.h>

#include "bench/comm/self_communicator.h"

namespace lepton::bench {
namespace {

WorkloadContext SmallSweep(Communicator* communicator) {
  WorkloadContext context;
  context.params = {
      {"ops", std::vector<std::string>{"allreduce", "allgather"}},
      {"placements", std::vector<std::string>{"out_of_place", "in_place"}},
      {"min_bytes", std::int64_t{8}},
      {"max_bytes", std::int64_t{64}},
      {"dtype", std::string("float32")},
      {"warmup_iters", std::int64_t{1}},
      {"iters", std::int64_t{4}},
  };
  context.communicator = communicator;
  return context;
}

// Runs every step as the runner does, with given step times instead of a clock.
Result<Metrics> RunWithStepTimes(Workload& workload, double seconds_per_step) {
  const std::size_t steps = workload.StepNames().size();
  LEPTON_RETURN_IF_ERROR(workload.BeginRun(0));
  for (std::size_t step = 0; step < steps; ++step) {
    LEPTON_RETURN_IF_ERROR(workload.RunStep(step));
    LEPTON_RETURN_IF_ERROR(workload.AfterStep(step));
  }
  const std::vector<double> times(steps, seconds_per_step);
  return workload.FinishRun(times);
}

TEST(CollectivesWorkloadTest, SweepsPowersOfTwoWithAWarmUpStepBeforeEachTimedOne) {
  auto self = MakeSelfCommunicator();
  auto workload = MakeCollectivesWorkload();
  ASSERT_TRUE(workload->Prepare(SmallSweep(self.get())).ok());
  const auto names = workload->StepNames();
  ASSERT_EQ(names.size(), 2u * 2u * 4u * 2u);  // ops x placements x {8,16,32,64} x 2
  EXPECT_EQ(names[0], "allreduce 8 B out_of_place warm-up");
  EXPECT_EQ(names[1], "allreduce 8 B out_of_place");
  EXPECT_EQ(names[7], "allreduce 64 B out_of_place");
  EXPECT_EQ(names.back(), "allgather 64 B in_place");
  EXPECT_TRUE(workload->UsesAllRanks());
}

TEST(CollectivesWorkloadTest, OneRankIsExactAndHasNoBusBandwidth) {
  auto self = MakeSelfCommunicator();
  auto workload = MakeCollectivesWorkload();
  ASSERT_TRUE(workload->Prepare(SmallSweep(self.get())).ok());
  auto metrics = RunWithStepTimes(*workload, 0.002);  // 4 iterations: 500 us per call
  ASSERT_TRUE(metrics.has_value()) << metrics.error().ToString();
  EXPECT_EQ(std::get<double>(metrics->values.at("ranks")), 1.0);
  EXPECT_EQ(std::get<std::string>(metrics->values.at("communicator")), "self");
  EXPECT_EQ(std::get<double>(metrics->values.at("wrong_elements")), 0.0);
  EXPECT_DOUBLE_EQ(std::get<double>(metrics->values.at("allreduce_small_latency_us")), 500.0);
  // (n-1)/n and 2(n-1)/n are 0 with one rank: bus bandwidth is not measured, with the reason.
  EXPECT_TRUE(metrics->not_measured.contains("allreduce_busbw_peak_gbps"));
  EXPECT_TRUE(metrics->not_measured.contains("allreduce_busbw_at_max_gbps"));
  const auto& bytes = metrics->series.at("allreduce_out_of_place_bytes");
  EXPECT_EQ(bytes, (std::vector<double>{8, 16, 32, 64}));
  // Algorithm bandwidth: bytes over the time per call, decimal GB/s.
  EXPECT_DOUBLE_EQ(metrics->series.at("allreduce_out_of_place_algbw_gbps")[3], 64 / 500e-6 / 1e9);
}

TEST(CollectivesWorkloadTest, UnknownOperationIsRejected) {
  auto self = MakeSelfCommunicator();
  WorkloadContext context = SmallSweep(self.get());
  context.params["ops"] = std::vector<std::string>{"allreduce", "gossip"};
  EXPECT_EQ(MakeCollectivesWorkload()->Prepare(context).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace lepton::bench
