#include "bench/workloads/collectives/collectives_workload.h"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <vector>

#include "bench/api/run_workload_for_tests.h"
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
      {"dtypes", std::vector<std::string>{"float32"}},
      {"warmup_iters", std::int64_t{1}},
      {"iters", std::int64_t{4}},
  };
  context.communicator = communicator;
  return context;
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

// spec/lepton-v1's collectives: one_rank_max_bytes bounds a one-rank sweep, where every call
// is a copy, so PERF-COLL-EXACT is still judged on every operation without timing copies of 1 GiB.
TEST(CollectivesWorkloadTest, OneRankStopsAtOneRankMaxBytesAndSaysSo) {
  auto self = MakeSelfCommunicator();
  auto workload = MakeCollectivesWorkload();
  WorkloadContext context = SmallSweep(self.get());
  context.params["one_rank_max_bytes"] = std::int64_t{16};
  ASSERT_TRUE(workload->Prepare(context).ok());
  ASSERT_EQ(workload->StepNames().size(), 2u * 2u * 2u * 2u);  // ops x placements x {8,16} x 2
  auto metrics = RunWithStepTimes(*workload, 0.002);
  ASSERT_TRUE(metrics.has_value()) << metrics.error().ToString();
  EXPECT_EQ(std::get<double>(metrics->values.at("largest_message_bytes")), 16.0);
  EXPECT_EQ(std::get<double>(metrics->values.at("wrong_elements")), 0.0);
  EXPECT_EQ(metrics->series.at("allgather_in_place_bytes"), (std::vector<double>{8, 16}));
}

TEST(CollectivesWorkloadTest, WithoutOneRankMaxBytesOneRankSweepsToMaxBytes) {
  auto self = MakeSelfCommunicator();
  auto workload = MakeCollectivesWorkload();
  ASSERT_TRUE(workload->Prepare(SmallSweep(self.get())).ok());
  auto metrics = RunWithStepTimes(*workload, 0.002);
  ASSERT_TRUE(metrics.has_value()) << metrics.error().ToString();
  EXPECT_EQ(std::get<double>(metrics->values.at("largest_message_bytes")), 64.0);
}

// The self communicator behind an asynchronous mode as NCCL's: while on, every call is only
// queued and runs at Synchronize, so a result read before the wait is the sentinel, not the
// result. Counts what the workload does with the mode.
class DeferringCommunicator final : public Communicator {
 public:
  [[nodiscard]] std::string_view name() const override { return "deferring"; }
  [[nodiscard]] int rank() const override { return 0; }
  [[nodiscard]] int size() const override { return 1; }

  Status AllReduce(const void* send, void* recv, std::size_t count, DataType type,
                   ReduceOp op) override {
    return Later([=, this] { return self_->AllReduce(send, recv, count, type, op); });
  }
  Status AllGather(const void* send, void* recv, std::size_t count, DataType type) override {
    return Later([=, this] { return self_->AllGather(send, recv, count, type); });
  }
  Status ReduceScatter(const void* send, void* recv, std::size_t count, DataType type,
                       ReduceOp op) override {
    return Later([=, this] { return self_->ReduceScatter(send, recv, count, type, op); });
  }
  Status Broadcast(const void* send, void* recv, std::size_t count, DataType type,
                   int root) override {
    return Later([=, this] { return self_->Broadcast(send, recv, count, type, root); });
  }
  Status Reduce(const void* send, void* recv, std::size_t count, DataType type, ReduceOp op,
                int root) override {
    return Later([=, this] { return self_->Reduce(send, recv, count, type, op, root); });
  }
  Status AllToAll(const void* send, void* recv, std::size_t count, DataType type) override {
    return Later([=, this] { return self_->AllToAll(send, recv, count, type); });
  }
  Status SendRecv(const void* send, int send_to, void* recv, int recv_from, std::size_t count,
                  DataType type) override {
    return Later(
        [=, this] { return self_->SendRecv(send, send_to, recv, recv_from, count, type); });
  }
  Status Barrier() override { return RunQueued(); }

  void SetAsynchronous(bool on) override { asynchronous_ = on; }
  [[nodiscard]] bool asynchronous() const override { return asynchronous_; }
  Status Synchronize() override {
    ++synchronizations;
    return RunQueued();
  }

  int synchronizations = 0;
  int deferred_calls = 0;
  int blocking_calls = 0;

 private:
  Status Later(std::function<Status()> call) {
    if (!asynchronous_) {
      ++blocking_calls;
      LEPTON_RETURN_IF_ERROR(RunQueued());  // a blocking call waits for what came before
      return call();
    }
    ++deferred_calls;
    queue_.push_back(std::move(call));
    return OkStatus();
  }

  Status RunQueued() {
    for (auto& call : queue_) LEPTON_RETURN_IF_ERROR(call());
    queue_.clear();
    return OkStatus();
  }

  std::unique_ptr<Communicator> self_ = MakeSelfCommunicator();
  bool asynchronous_ = false;
  std::vector<std::function<Status()>> queue_;
};

TEST(CollectivesWorkloadTest, TimedCallsAreEnqueuedAndWaitedForOnceAsNcclTestsDoes) {
  DeferringCommunicator deferring;
  auto workload = MakeCollectivesWorkload();
  ASSERT_TRUE(workload->Prepare(SmallSweep(&deferring)).ok());
  const std::size_t steps = workload->StepNames().size();
  const auto points = static_cast<int>(steps / 2);
  ASSERT_TRUE(workload->BeginRun(0).ok());
  for (std::size_t step = 0; step < steps; ++step) {
    ASSERT_TRUE(workload->RunStep(step).ok());
    // Each step enqueued its calls and waited once: nothing is left in flight for the clock.
    EXPECT_EQ(deferring.synchronizations, static_cast<int>(step) + 1) << step;
    EXPECT_FALSE(deferring.asynchronous()) << step;
    // The correctness call after the timed step runs blocking (on results waited for).
    ASSERT_TRUE(workload->AfterStep(step).ok());
  }
  EXPECT_EQ(deferring.deferred_calls, points * (1 + 4));  // warm-up 1 + timed 4 per size
  EXPECT_EQ(deferring.blocking_calls, points);            // one checked call per size
  auto metrics = workload->FinishRun(std::vector<double>(steps, 0.001));
  ASSERT_TRUE(metrics.has_value()) << metrics.error().ToString();
  EXPECT_EQ(std::get<double>(metrics->values.at("wrong_elements")), 0.0);
  EXPECT_DOUBLE_EQ(std::get<double>(metrics->values.at("allreduce_small_latency_us")), 250.0);
}

TEST(CollectivesWorkloadTest, Bfloat16IsSweptAfterFloat32UnderItsOwnNames) {
  auto self = MakeSelfCommunicator();
  WorkloadContext context = SmallSweep(self.get());
  context.params["dtypes"] = std::vector<std::string>{"float32", "bf16"};
  auto workload = MakeCollectivesWorkload();
  ASSERT_TRUE(workload->Prepare(context).ok());
  const auto names = workload->StepNames();
  ASSERT_EQ(names.size(), 2u * 2u * 2u * 4u * 2u);  // types x ops x placements x sizes x 2
  EXPECT_EQ(names[0], "allreduce 8 B out_of_place warm-up");  // float32's names are unchanged
  EXPECT_EQ(names[names.size() / 2], "allreduce 8 B out_of_place bf16 warm-up");
  EXPECT_EQ(names.back(), "allgather 64 B in_place bf16");
  auto metrics = RunWithStepTimes(*workload, 0.002);
  ASSERT_TRUE(metrics.has_value()) << metrics.error().ToString();
  EXPECT_EQ(std::get<double>(metrics->values.at("wrong_elements")), 0.0);
  // Same byte sizes (half the elements), each type under its own names.
  EXPECT_EQ(metrics->series.at("allreduce_out_of_place_bytes"),
            (std::vector<double>{8, 16, 32, 64}));
  EXPECT_EQ(metrics->series.at("allreduce_out_of_place_bf16_bytes"),
            (std::vector<double>{8, 16, 32, 64}));
  EXPECT_EQ(metrics->series.at("allgather_in_place_bf16_time_us").size(), 4u);
  EXPECT_DOUBLE_EQ(std::get<double>(metrics->values.at("allreduce_small_latency_us")), 500.0);
  EXPECT_DOUBLE_EQ(std::get<double>(metrics->values.at("allreduce_bf16_small_latency_us")), 500.0);
  EXPECT_TRUE(metrics->not_measured.contains("allreduce_bf16_busbw_peak_gbps"));
  EXPECT_TRUE(metrics->not_measured.contains("allgather_bf16_busbw_peak_gbps"));
}

TEST(CollectivesWorkloadTest, WithoutDtypesOnlyFloat32Runs) {
  auto self = MakeSelfCommunicator();
  WorkloadContext context = SmallSweep(self.get());
  context.params.erase("dtypes");
  auto workload = MakeCollectivesWorkload();
  ASSERT_TRUE(workload->Prepare(context).ok());
  EXPECT_EQ(workload->StepNames().size(), 2u * 2u * 4u * 2u);
}

TEST(CollectivesWorkloadTest, UnknownDataTypeIsRejected) {
  auto self = MakeSelfCommunicator();
  WorkloadContext context = SmallSweep(self.get());
  context.params["dtypes"] = std::vector<std::string>{"float32", "fp16"};
  EXPECT_EQ(MakeCollectivesWorkload()->Prepare(context).code(), StatusCode::kInvalidArgument);
}

TEST(CollectivesWorkloadTest, UnknownOperationIsRejected) {
  auto self = MakeSelfCommunicator();
  WorkloadContext context = SmallSweep(self.get());
  context.params["ops"] = std::vector<std::string>{"allreduce", "gossip"};
  EXPECT_EQ(MakeCollectivesWorkload()->Prepare(context).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace lepton::bench
