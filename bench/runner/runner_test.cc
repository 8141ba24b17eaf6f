#include "bench/runner/runner.h"

#include <gtest/gtest.h>

#include <thread>

namespace lepton::bench {
namespace {

// Counts calls and sleeps in its one timed step so the runner's timing can be checked.
class FakeWorkload final : public Workload {
 public:
  explicit FakeWorkload(int fail_on_run) : fail_on_run_(fail_on_run) {}
  Status Prepare(const WorkloadContext& /*context*/) override { return OkStatus(); }
  [[nodiscard]] std::vector<std::string> StepNames() const override { return {"work"}; }
  Status BeginRun(int run_index) override {
    run_ = run_index;
    ++begun_;
    return OkStatus();
  }
  Status RunStep(std::size_t /*step*/) override {
    if (begun_ - 1 == fail_on_run_) return InternalError("boom");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return OkStatus();
  }
  Result<Metrics> FinishRun(std::span<const double> step_seconds) override {
    Metrics metrics;
    metrics.values["seconds"] = step_seconds[0];
    metrics.values["run"] = static_cast<double>(run_);
    return metrics;
  }

 private:
  int fail_on_run_;
  int run_ = -1;
  int begun_ = 0;
};

struct Fixture {
  spec::WorkloadSpec workload_spec;
  spec::Plan plan;
  Fixture(int runs, int warmups) {
    workload_spec.name = "fake";
    workload_spec.type = "fake_type";
    workload_spec.warmup_runs = warmups;
    spec::PlannedWorkload planned;
    planned.workload = &workload_spec;
    planned.runs = runs;
    plan.workloads.push_back(planned);
  }
};

RunnerOptions OptionsFailingOn(int fail_on_run) {
  RunnerOptions options;
  options.factory = [fail_on_run](std::string_view,
                                  std::string_view) -> Result<std::unique_ptr<Workload>> {
    return std::make_unique<FakeWorkload>(fail_on_run);
  };
  return options;
}

TEST(RunnerTest, RecordsWarmupsAndTimedRunsWithTheirTimes) {
  Fixture fixture(3, 1);
  RunObserver observer;
  const auto records = RunPlan(fixture.plan, OptionsFailingOn(-1), observer);
  ASSERT_EQ(records.size(), 1u);
  ASSERT_EQ(records[0].runs.size(), 4u);
  EXPECT_TRUE(records[0].runs[0].warmup);
  for (int i = 1; i < 4; ++i) {
    const RunRecord& run = records[0].runs[i];
    EXPECT_FALSE(run.warmup);
    EXPECT_EQ(run.index, i - 1);
    EXPECT_EQ(std::get<double>(run.metrics.values.at("run")), i - 1);
    ASSERT_EQ(run.steps.size(), 1u);
    EXPECT_GE(run.steps[0].seconds, 0.019);
    EXPECT_EQ(std::get<double>(run.metrics.values.at("seconds")), run.steps[0].seconds);
  }
}

TEST(RunnerTest, StopsAtTheFirstFailedRunAndRecordsIt) {
  Fixture fixture(5, 0);
  RunObserver observer;
  const auto records = RunPlan(fixture.plan, OptionsFailingOn(1), observer);
  ASSERT_EQ(records[0].runs.size(), 2u);
  EXPECT_EQ(records[0].runs[1].error, "step work: INTERNAL: boom");
  EXPECT_TRUE(records[0].runs[1].metrics.values.empty());
}

TEST(RunnerTest, UnavailableAtPrepareIsRecordedAsUnavailable) {
  class NeedsData final : public Workload {
   public:
    Status Prepare(const WorkloadContext& /*context*/) override {
      return UnavailableError("no directory given (--data DIR)");
    }
    [[nodiscard]] std::vector<std::string> StepNames() const override { return {}; }
    Status BeginRun(int /*run_index*/) override { return OkStatus(); }
    Status RunStep(std::size_t /*step*/) override { return OkStatus(); }
    Result<Metrics> FinishRun(std::span<const double> /*seconds*/) override { return Metrics{}; }
  };
  Fixture fixture(2, 0);
  RunnerOptions options;
  options.factory = [](std::string_view, std::string_view) -> Result<std::unique_ptr<Workload>> {
    return std::make_unique<NeedsData>();
  };
  RunObserver observer;
  const auto records = RunPlan(fixture.plan, options, observer);
  EXPECT_EQ(records[0].unavailable_reason, "no directory given (--data DIR)");
  EXPECT_TRUE(records[0].error.empty());
  EXPECT_TRUE(records[0].runs.empty());
}

TEST(RunnerTest, UnavailableWorkloadIsRecordedNotRun) {
  Fixture fixture(2, 0);
  RunnerOptions options;
  options.device = "cuda";
  options.factory = [](std::string_view, std::string_view) -> Result<std::unique_ptr<Workload>> {
    return std::unexpected(UnavailableError("no CUDA build"));
  };
  RunObserver observer;
  const auto records = RunPlan(fixture.plan, options, observer);
  EXPECT_EQ(records[0].unavailable_reason, "no CUDA build");
  EXPECT_TRUE(records[0].runs.empty());
  EXPECT_EQ(records[0].device, "cuda");
}

// Rank `rank` of a two-rank run that counts barriers; no collective is expected of the runner.
class TwoRankFake final : public Communicator {
 public:
  explicit TwoRankFake(int rank) : rank_(rank) {}
  [[nodiscard]] std::string_view name() const override { return "fake"; }
  [[nodiscard]] int rank() const override { return rank_; }
  [[nodiscard]] int size() const override { return 2; }
  Status AllReduce(const void* /*send*/, void* /*recv*/, std::size_t /*count*/, DataType /*type*/,
                   ReduceOp /*op*/) override {
    return No();
  }
  Status AllGather(const void* /*send*/, void* /*recv*/, std::size_t /*count*/,
                   DataType /*type*/) override {
    return No();
  }
  Status ReduceScatter(const void* /*send*/, void* /*recv*/, std::size_t /*count*/,
                       DataType /*type*/, ReduceOp /*op*/) override {
    return No();
  }
  Status Broadcast(const void* /*send*/, void* /*recv*/, std::size_t /*count*/, DataType /*type*/,
                   int /*root*/) override {
    return No();
  }
  Status Reduce(const void* /*send*/, void* /*recv*/, std::size_t /*count*/, DataType /*type*/,
                ReduceOp /*op*/, int /*root*/) override {
    return No();
  }
  Status AllToAll(const void* /*send*/, void* /*recv*/, std::size_t /*count*/,
                  DataType /*type*/) override {
    return No();
  }
  Status SendRecv(const void* /*send*/, int /*send_to*/, void* /*recv*/, int /*recv_from*/,
                  std::size_t /*count*/, DataType /*type*/) override {
    return No();
  }
  Status Barrier() override {
    ++barriers;
    return OkStatus();
  }
  int barriers = 0;

 private:
  static Status No() { return InternalError("the runner itself runs no collective"); }
  int rank_;
};

// A workload that says it uses every rank, and one that does not.
class AllRanksFake final : public Workload {
 public:
  explicit AllRanksFake(bool all_ranks) : all_ranks_(all_ranks) {}
  Status Prepare(const WorkloadContext& context) override {
    seen_ranks_ = context.communicator->size();
    return OkStatus();
  }
  [[nodiscard]] std::vector<std::string> StepNames() const override { return {"work"}; }
  Status BeginRun(int /*run_index*/) override { return OkStatus(); }
  Status RunStep(std::size_t /*step*/) override { return OkStatus(); }
  Result<Metrics> FinishRun(std::span<const double> /*seconds*/) override {
    Metrics metrics;
    metrics.values["ranks"] = static_cast<double>(seen_ranks_);
    return metrics;
  }
  [[nodiscard]] bool UsesAllRanks() const override { return all_ranks_; }

 private:
  bool all_ranks_;
  int seen_ranks_ = 0;
};

struct TwoWorkloadFixture {
  spec::WorkloadSpec single_rank;
  spec::WorkloadSpec all_ranks;
  spec::Plan plan;
  TwoWorkloadFixture() {
    single_rank.name = "single";
    single_rank.type = "single_type";
    all_ranks.name = "all";
    all_ranks.type = "all_type";
    for (const spec::WorkloadSpec* workload : {&single_rank, &all_ranks}) {
      spec::PlannedWorkload planned;
      planned.workload = workload;
      planned.runs = 1;
      plan.workloads.push_back(planned);
    }
  }
};

RunnerOptions OptionsOn(Communicator& communicator) {
  RunnerOptions options;
  options.communicator = &communicator;
  options.factory = [](std::string_view type,
                       std::string_view) -> Result<std::unique_ptr<Workload>> {
    return std::make_unique<AllRanksFake>(type == "all_type");
  };
  return options;
}

TEST(RunnerTest, OtherRanksRunOnlyAllRanksWorkloadsAndWaitAtBarriers) {
  TwoWorkloadFixture fixture;
  TwoRankFake rank1(1);
  RunObserver observer;
  const auto records = RunPlan(fixture.plan, OptionsOn(rank1), observer);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].unavailable_reason, "runs on rank 0 only");
  EXPECT_TRUE(records[0].runs.empty());
  ASSERT_EQ(records[1].runs.size(), 1u);
  EXPECT_EQ(std::get<double>(records[1].runs[0].metrics.values.at("ranks")), 2.0);
  // One before the all-ranks workload (while rank 0 runs the single-rank one), one at the end.
  EXPECT_EQ(rank1.barriers, 2);
}

TEST(RunnerTest, RankZeroRunsEveryWorkload) {
  TwoWorkloadFixture fixture;
  TwoRankFake rank0(0);
  RunObserver observer;
  const auto records = RunPlan(fixture.plan, OptionsOn(rank0), observer);
  ASSERT_EQ(records[0].runs.size(), 1u);
  ASSERT_EQ(records[1].runs.size(), 1u);
  EXPECT_EQ(rank0.barriers, 2);
}

TEST(RunnerTest, AloneEveryWorkloadRunsOnTheSelfCommunicator) {
  TwoWorkloadFixture fixture;
  RunnerOptions options;
  options.factory = [](std::string_view type,
                       std::string_view) -> Result<std::unique_ptr<Workload>> {
    return std::make_unique<AllRanksFake>(type == "all_type");
  };
  RunObserver observer;
  const auto records = RunPlan(fixture.plan, options, observer);
  EXPECT_EQ(std::get<double>(records[0].runs[0].metrics.values.at("ranks")), 1.0);
  EXPECT_EQ(std::get<double>(records[1].runs[0].metrics.values.at("ranks")), 1.0);
}

}  // namespace
}  // namespace lepton::bench
