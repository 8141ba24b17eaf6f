#include "bench/runner/runner.h"

#include <gtest/gtest.h>

#include <thread>

#include "conformance/spec/energy_metrics.h"

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
  spec::Profile profile;
  spec::Plan plan;
  Fixture(int runs, int warmups, std::set<std::string> metrics = {}) {
    workload_spec.name = "fake";
    workload_spec.type = "fake_type";
    workload_spec.warmup_runs = warmups;
    spec::PlannedWorkload planned;
    planned.workload = &workload_spec;
    planned.runs = runs;
    planned.metrics = std::move(metrics);
    plan.workloads.push_back(planned);
    profile.energy = {0, 0.05, 10, 2};  // no minimum region, 50 ms idle
    plan.profile = &profile;
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

// What the runner did, kept by the test: the runner owns (and destroys) workload and meter.
struct Observed {
  int begun = 0;
  int evaluated = 0;
  int finished = 0;
  std::vector<TimeWindow> last_windows;
};

// Timed steps of 20 ms, untimed evaluation of 30 ms after each: energy must see only the former.
class StepsAndEvaluation final : public Workload {
 public:
  explicit StepsAndEvaluation(Observed& observed) : observed_(observed) {}
  Status Prepare(const WorkloadContext& /*context*/) override { return OkStatus(); }
  [[nodiscard]] std::vector<std::string> StepNames() const override { return {"a", "b"}; }
  Status BeginRun(int /*run_index*/) override {
    ++observed_.begun;
    return OkStatus();
  }
  Status RunStep(std::size_t /*step*/) override {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return OkStatus();
  }
  Status AfterStep(std::size_t /*step*/) override {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    ++observed_.evaluated;
    return OkStatus();
  }
  Result<Metrics> FinishRun(std::span<const double> step_seconds) override {
    ++observed_.finished;
    Metrics metrics;
    metrics.values["seconds"] = step_seconds[0] + step_seconds[1];
    return metrics;
  }
  [[nodiscard]] std::optional<double> SamplesPerRun() const override { return 100; }

 private:
  Observed& observed_;
};

// Draws 4 W in its first session (the runner's idle measurement) and 10 W after; records the
// windows the runner marks.
class FakeMeter final : public EnergyMeter {
 public:
  explicit FakeMeter(Observed* observed = nullptr) : observed_(observed) {
    info_.name = "fake";
    info_.tier = spec::EnergyTier::kOnDieCounter;
    info_.domains = {"everything"};
    info_.sample_hz = 10;
  }
  [[nodiscard]] const MeterInfo& info() const override { return info_; }
  Status Start() override {
    ++sessions_;
    return OkStatus();
  }
  double Mark() override { return SteadySeconds(); }
  Result<EnergyReading> Stop(std::span<const TimeWindow> windows) override {
    EnergyReading reading;
    for (const TimeWindow& window : windows) reading.covered_s += window.end_s - window.begin_s;
    const double watts = sessions_ == 1 ? 4.0 : 10.0;
    reading.joules = watts * reading.covered_s;
    reading.peak_watts = watts;
    reading.samples = static_cast<std::int64_t>(windows.size()) * 2;
    if (observed_ != nullptr) observed_->last_windows.assign(windows.begin(), windows.end());
    return reading;
  }

 private:
  Observed* observed_;
  MeterInfo info_;
  int sessions_ = 0;
};

struct EnergyRun {
  Observed observed;
  std::vector<WorkloadRecord> records;
};

EnergyRun RunWithMeter(Fixture& fixture) {
  EnergyRun result;
  RunnerOptions options;
  options.factory = [&result](std::string_view,
                              std::string_view) -> Result<std::unique_ptr<Workload>> {
    return std::make_unique<StepsAndEvaluation>(result.observed);
  };
  options.energy_meter =
      [&result](const spec::EnergySettings&) -> Result<std::unique_ptr<EnergyMeter>> {
    return std::make_unique<FakeMeter>(&result.observed);
  };
  RunObserver observer;
  result.records = RunPlan(fixture.plan, options, observer);
  return result;
}

double Metric(const RunRecord& run, std::string_view name) {
  return std::get<double>(run.metrics.values.at(std::string(name)));
}

TEST(RunnerEnergyTest, AttributesTheTimedStepsOnlyWithIdleMeasuredFirst) {
  Fixture fixture(1, 1, {"joules_per_sample"});
  const EnergyRun result = RunWithMeter(fixture);
  ASSERT_EQ(result.records[0].runs.size(), 2u);
  EXPECT_FALSE(result.records[0].runs[0].energy.has_value()) << "warm-up runs are not metered";
  const RunRecord& run = result.records[0].runs[1];
  ASSERT_TRUE(run.energy.has_value());
  const EnergyEvidence& evidence = *run.energy;
  EXPECT_EQ(evidence.meter, "fake");
  EXPECT_EQ(evidence.passes, 1);
  EXPECT_EQ(evidence.windows, 2);
  // Two 20 ms steps are covered; the 30 ms evaluations after them are not.
  EXPECT_GE(evidence.covered_s, 0.040);
  EXPECT_LT(evidence.covered_s, 0.040 + 0.025);
  const double timed = run.steps[0].seconds + run.steps[1].seconds;
  EXPECT_GE(evidence.covered_s, timed);
  EXPECT_NEAR(Metric(run, spec::kEnergyJoules), 10 * evidence.covered_s, 1e-12);
  EXPECT_NEAR(Metric(run, spec::kIdleWatts), 4.0, 1e-12);
  EXPECT_NEAR(Metric(run, spec::kEnergyAboveIdleJoules), 6 * evidence.covered_s, 1e-12);
  EXPECT_NEAR(Metric(run, spec::kJoulesPerSample), 10 * evidence.covered_s / 100, 1e-12);
  EXPECT_EQ(evidence.idle_s, 0.05);
  // The windows are the steps' edges: the gap between them holds the evaluation.
  ASSERT_EQ(result.observed.last_windows.size(), 2u);
  EXPECT_GE(result.observed.last_windows[1].begin_s - result.observed.last_windows[0].end_s, 0.029);
}

TEST(RunnerEnergyTest, RepeatsShortRunsUntilTheMinimumRegionWithoutChangingTheirMetrics) {
  Fixture fixture(2, 0, {"energy_j"});
  fixture.profile.energy.min_region_s = 0.15;
  const EnergyRun result = RunWithMeter(fixture);
  ASSERT_EQ(result.records[0].runs.size(), 2u);
  for (const RunRecord& run : result.records[0].runs) {
    ASSERT_TRUE(run.energy.has_value());
    const EnergyEvidence& evidence = *run.energy;
    // 40 ms per pass: at least four passes reach 150 ms.
    EXPECT_GE(evidence.passes, 4);
    EXPECT_EQ(evidence.windows, 2 * evidence.passes);
    EXPECT_GE(evidence.covered_s, 0.15);
    EXPECT_EQ(evidence.min_region_s, 0.15);
    EXPECT_NEAR(Metric(run, spec::kEnergyJoules), 10 * evidence.covered_s / evidence.passes, 1e-12);
    EXPECT_NEAR(Metric(run, spec::kJoulesPerSample),
                10 * evidence.covered_s / (100.0 * evidence.passes), 1e-12);
    // Timings and metrics are the first pass's.
    ASSERT_EQ(run.steps.size(), 2u);
    EXPECT_EQ(Metric(run, "seconds"), run.steps[0].seconds + run.steps[1].seconds);
  }
  const int passes =
      result.records[0].runs[0].energy->passes + result.records[0].runs[1].energy->passes;
  EXPECT_EQ(result.observed.begun, passes);  // the same code path each pass
  EXPECT_EQ(result.observed.evaluated, 2 * passes);
  EXPECT_EQ(result.observed.finished, 2);
}

TEST(RunnerEnergyTest, NoMeterMeansNotMeasuredWithTheReason) {
  Fixture fixture(1, 0, {"energy_j"});
  RunnerOptions options = OptionsFailingOn(-1);
  options.energy_meter = [](const spec::EnergySettings&) -> Result<std::unique_ptr<EnergyMeter>> {
    return std::unexpected(UnavailableError("RAPL: /sys/class/powercap does not exist"));
  };
  RunObserver observer;
  const auto records = RunPlan(fixture.plan, options, observer);
  const RunRecord& run = records[0].runs[0];
  ASSERT_TRUE(run.energy.has_value());
  EXPECT_EQ(run.energy->not_measured_reason, "RAPL: /sys/class/powercap does not exist");
  EXPECT_EQ(run.metrics.not_measured.at("energy_j"), "RAPL: /sys/class/powercap does not exist");
  EXPECT_FALSE(run.metrics.values.contains("energy_j"));
  EXPECT_TRUE(run.error.empty()) << "a missing meter is not a failed run";

  RunnerOptions unconfigured = OptionsFailingOn(-1);
  const auto without = RunPlan(fixture.plan, unconfigured, observer);
  EXPECT_EQ(without[0].runs[0].metrics.not_measured.at("energy_j"), "no energy meter configured");
}

TEST(RunnerEnergyTest, NoMeterIsOpenedWhenNoRequirementReadsEnergy) {
  Fixture fixture(1, 0, {"seconds"});
  bool opened = false;
  RunnerOptions options = OptionsFailingOn(-1);
  options.energy_meter =
      [&opened](const spec::EnergySettings&) -> Result<std::unique_ptr<EnergyMeter>> {
    opened = true;
    return std::make_unique<FakeMeter>();
  };
  RunObserver observer;
  const auto records = RunPlan(fixture.plan, options, observer);
  EXPECT_FALSE(opened);
  EXPECT_FALSE(records[0].runs[0].energy.has_value());
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

TEST(RunnerTest, EachWorkloadRunsOnItsShareOfTheCoresOrAllOfRankZeros) {
  TwoWorkloadFixture fixture;
  TwoRankFake rank0(0);
  RunnerOptions options = OptionsOn(rank0);
  options.cpu_threads = ChooseCpuThreads({.rank_cpus = 8, .node_cpus = 8, .local_ranks = 2});
  std::vector<int> set;
  options.set_cpu_threads = [&set](int threads) { set.push_back(threads); };
  RunObserver observer;
  (void)RunPlan(fixture.plan, options, observer);
  // The single-rank workload while the other rank sleeps, then the all-ranks one.
  EXPECT_EQ(set, (std::vector<int>{8, 4}));
  // Where the user's OMP_NUM_THREADS decides, nothing is set.
  options.cpu_threads =
      ChooseCpuThreads({.rank_cpus = 8, .node_cpus = 8, .local_ranks = 2, .omp_num_threads = 2});
  set.clear();
  (void)RunPlan(fixture.plan, options, observer);
  EXPECT_TRUE(set.empty());
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

// A signal that arrives once `steps` has reached `after`.
InterruptionCheck InterruptAfterSteps(const int& steps, int after) {
  return [&steps, after]() -> std::string { return steps >= after ? "SIGINT" : ""; };
}

// Counts the RunStep calls of every workload the factory makes.
RunnerOptions CountingSteps(int& steps) {
  RunnerOptions options;
  options.factory = [&steps](std::string_view type,
                             std::string_view) -> Result<std::unique_ptr<Workload>> {
    class Counting final : public Workload {
     public:
      explicit Counting(int& steps) : steps_(steps) {}
      Status Prepare(const WorkloadContext& /*context*/) override { return OkStatus(); }
      [[nodiscard]] std::vector<std::string> StepNames() const override { return {"a", "b"}; }
      Status BeginRun(int /*run_index*/) override { return OkStatus(); }
      Status RunStep(std::size_t /*step*/) override {
        ++steps_;
        return OkStatus();
      }
      Result<Metrics> FinishRun(std::span<const double> /*seconds*/) override {
        Metrics metrics;
        metrics.values["ok"] = 1.0;
        return metrics;
      }

     private:
      int& steps_;
    };
    (void)type;
    return std::make_unique<Counting>(steps);
  };
  return options;
}

TEST(RunnerInterruptionTest, StopsMidRunDroppingPartialRunsAndSkipsLaterWorkloads) {
  TwoWorkloadFixture fixture;
  for (spec::PlannedWorkload& planned : fixture.plan.workloads) planned.runs = 2;
  int steps = 0;
  RunnerOptions options = CountingSteps(steps);
  // Run 1's two steps and run 2's first: the signal comes during step a of run 2.
  options.interruption = InterruptAfterSteps(steps, 3);
  RunObserver observer;
  const auto records = RunPlan(fixture.plan, options, observer);
  EXPECT_EQ(steps, 3);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_TRUE(records[0].interrupted);
  EXPECT_TRUE(records[0].runs.empty()) << "a run of two done is not the planned measurement";
  EXPECT_EQ(records[0].unavailable_reason, "interrupted (SIGINT) during run 2 of 2");
  EXPECT_TRUE(records[1].interrupted);
  EXPECT_EQ(records[1].unavailable_reason, "the run was interrupted (SIGINT) before this workload");
}

TEST(RunnerInterruptionTest, AWorkloadThatFinishedBeforeTheSignalIsKept) {
  TwoWorkloadFixture fixture;
  int steps = 0;
  RunnerOptions options = CountingSteps(steps);
  // The signal comes during the last step of workload 1's only run.
  options.interruption = InterruptAfterSteps(steps, 2);
  RunObserver observer;
  const auto records = RunPlan(fixture.plan, options, observer);
  EXPECT_FALSE(records[0].interrupted);
  ASSERT_EQ(records[0].runs.size(), 1u);
  EXPECT_TRUE(records[0].unavailable_reason.empty());
  EXPECT_TRUE(records[1].interrupted);
  EXPECT_EQ(steps, 2);
}

TEST(RunnerInterruptionTest, ASignalAfterARunCompletesStopsBeforeTheNext) {
  Fixture fixture(3, 0);
  int steps = 0;
  RunnerOptions options = CountingSteps(steps);
  options.interruption = InterruptAfterSteps(steps, 4);  // during run 2's last step
  RunObserver observer;
  const auto records = RunPlan(fixture.plan, options, observer);
  EXPECT_EQ(steps, 4);
  EXPECT_TRUE(records[0].runs.empty());
  EXPECT_EQ(records[0].unavailable_reason, "interrupted (SIGINT) before run 3 of 3");
}

TEST(RunnerInterruptionTest, FinishedRecordsOfAnEarlierSessionAreReusedNotRunAgain) {
  TwoWorkloadFixture fixture;
  int steps = 0;
  RunnerOptions options = CountingSteps(steps);
  std::vector<WorkloadRecord> finished(3);
  finished[0].name = "single";
  finished[0].type = "single_type";
  finished[0].device = "cpu";
  finished[0].runs.emplace_back();
  finished[0].runs[0].metrics.values["ok"] = 42.0;
  finished[1] = finished[0];
  finished[1].name = "all";
  finished[1].interrupted = true;  // not final: measured again
  finished[2] = finished[0];
  finished[2].name = "gone";  // no longer in the plan: ignored
  options.finished = &finished;
  struct Reuses final : RunObserver {
    void OnWorkloadReused(const WorkloadRecord& record) override { names.push_back(record.name); }
    std::vector<std::string> names;
  } observer;
  const auto records = RunPlan(fixture.plan, options, observer);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(std::get<double>(records[0].runs[0].metrics.values.at("ok")), 42.0);
  EXPECT_EQ(observer.names, std::vector<std::string>{"single"});
  EXPECT_EQ(steps, 2) << "only the interrupted workload ran";
  EXPECT_FALSE(records[1].interrupted);
}

// GPU telemetry ---------------------------------------------------------------------------------

// Hands out scripted regions, one per Start/Stop, and counts the calls.
class ScriptedSampler final : public TelemetrySampler {
 public:
  ScriptedSampler(std::vector<std::uint64_t> reasons_per_run, int* starts)
      : reasons_(std::move(reasons_per_run)), starts_(starts) {}
  Status Start() override {
    ++*starts_;
    return OkStatus();
  }
  TelemetryRegion Stop() override {
    TelemetryRegion region;
    region.source = "scripted";
    GpuReading gpu;
    gpu.values[0] = 1980;
    gpu.event_reasons = reasons_.at(next_++);
    region.readings.push_back(TelemetryReading{{gpu}});
    return region;
  }

 private:
  std::vector<std::uint64_t> reasons_;
  std::size_t next_ = 0;
  int* starts_;
};

RunnerOptions CudaOptionsWithTelemetry(const std::vector<std::uint64_t>& reasons, int* starts) {
  RunnerOptions options = OptionsFailingOn(-1);
  options.device = "cuda";
  options.telemetry_sampler = [reasons, starts]() -> Result<std::unique_ptr<TelemetrySampler>> {
    return std::make_unique<ScriptedSampler>(reasons, starts);
  };
  return options;
}

TEST(RunnerTelemetryTest, EachTimedRunAndTheWorkloadGetASummaryAndGpuThrottled) {
  Fixture fixture(3, 1, {"gpu_throttled"});
  int starts = 0;
  RunObserver observer;
  // The warm-up is not sampled; the second timed run hit the power cap.
  const auto records =
      RunPlan(fixture.plan, CudaOptionsWithTelemetry({0, 0x4, 0}, &starts), observer);
  ASSERT_EQ(records[0].runs.size(), 4U);
  EXPECT_EQ(starts, 3);
  EXPECT_FALSE(records[0].runs[0].telemetry.has_value());
  EXPECT_FALSE(records[0].runs[0].metrics.values.contains("gpu_throttled"));
  const std::vector<bool> expected = {false, true, false};
  for (int i = 0; i < 3; ++i) {
    const RunRecord& run = records[0].runs[i + 1];
    ASSERT_TRUE(run.telemetry.has_value());
    EXPECT_EQ(run.telemetry->thermal_or_power_throttled, expected[i]);
    EXPECT_EQ(std::get<bool>(run.metrics.values.at("gpu_throttled")), expected[i]);
  }
  ASSERT_TRUE(records[0].telemetry.has_value());
  EXPECT_EQ(records[0].telemetry->regions, 3);
  EXPECT_TRUE(records[0].telemetry->thermal_or_power_throttled);
  ASSERT_EQ(records[0].telemetry->gpus.at(0).throttle_reasons.size(), 1U);
  EXPECT_EQ(records[0].telemetry->gpus[0].throttle_reasons[0].name, "sw_power_cap");
}

TEST(RunnerTelemetryTest, NoSamplerMakesGpuThrottledNotMeasuredWithTheReason) {
  Fixture fixture(2, 0, {"gpu_throttled"});
  RunnerOptions options = OptionsFailingOn(-1);
  options.device = "cuda";
  options.telemetry_sampler = []() -> Result<std::unique_ptr<TelemetrySampler>> {
    return std::unexpected(UnavailableError("NVML not loadable (no NVIDIA driver?)"));
  };
  RunObserver observer;
  const auto records = RunPlan(fixture.plan, options, observer);
  for (const RunRecord& run : records[0].runs) {
    EXPECT_FALSE(run.metrics.values.contains("gpu_throttled"));
    EXPECT_EQ(run.metrics.not_measured.at("gpu_throttled"),
              "no GPU telemetry: NVML not loadable (no NVIDIA driver?)");
    ASSERT_TRUE(run.telemetry.has_value());
    EXPECT_EQ(run.telemetry->not_measured_reason, "NVML not loadable (no NVIDIA driver?)");
  }
}

// A CPU run samples nothing; gpu_throttled, when a requirement reads it, is not measured with
// the reason, never false.
TEST(RunnerTelemetryTest, CpuRunsHaveNoTelemetry) {
  Fixture fixture(2, 0, {"gpu_throttled"});
  int starts = 0;
  RunnerOptions options = CudaOptionsWithTelemetry({0, 0}, &starts);
  options.device = "cpu";
  RunObserver observer;
  const auto records = RunPlan(fixture.plan, options, observer);
  EXPECT_EQ(starts, 0);
  EXPECT_FALSE(records[0].telemetry.has_value());
  for (const RunRecord& run : records[0].runs) {
    EXPECT_FALSE(run.telemetry.has_value());
    EXPECT_FALSE(run.metrics.values.contains("gpu_throttled"));
    EXPECT_EQ(run.metrics.not_measured.at("gpu_throttled"),
              "GPU telemetry is sampled on devices: cuda; this run's device is cpu");
  }
}

TEST(RunnerTelemetryTest, UnreadThrottleReasonsAreNotMeasuredNeverFalse) {
  Fixture fixture(1, 0, {"gpu_throttled"});
  RunnerOptions options = OptionsFailingOn(-1);
  options.device = "cuda";
  options.telemetry_sampler = []() -> Result<std::unique_ptr<TelemetrySampler>> {
    return std::make_unique<PolledTelemetrySampler>("scripted", 0, []() {
      GpuReading gpu;
      gpu.values[0] = 1980;
      gpu.event_reasons_why_not = "symbol not exported by this driver";
      return Result<TelemetryReading>(TelemetryReading{{gpu}});
    });
  };
  RunObserver observer;
  const auto records = RunPlan(fixture.plan, options, observer);
  const RunRecord& run = records[0].runs.at(0);
  EXPECT_EQ(run.metrics.not_measured.at("gpu_throttled"),
            "the clocks event reasons of gpu0 could not be read: symbol not exported by this "
            "driver");
  EXPECT_EQ(run.telemetry->gpus.at(0).fields.at(0).samples, 2);  // the edges
}

}  // namespace
}  // namespace lepton::bench
