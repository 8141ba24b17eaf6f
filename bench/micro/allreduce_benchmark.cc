// Our AllReduce (the MPI communicator behind bench/api/communicator.h) against a plain
// MPI_Allreduce loop timed the same way, under the launcher:
//
//   mpirun -n 2 build/release/bench/micro/lepton_allreduce_benchmarks
//       --benchmark_repetitions=5 --benchmark_report_aggregates_only=true   (one line)
//
// Each benchmark iteration is an untimed barrier, then kCallsPerIteration calls timed with the
// steady clock; the iteration's time is the slowest rank's mean per call (as the collectives
// workload and nccl-tests take it). busbw_GB (shown per second) is nccl-tests' AllReduce bus
// bandwidth, bytes x 2(n-1)/n over that time, decimal. The target: ours within 5% of plain
// MPI. Iteration counts are fixed: every rank must make the same calls, so Google Benchmark may not
// pick them per rank. Rank 0 reports; this file is the plain-MPI peer, so it calls MPI itself.

#include <benchmark/benchmark.h>
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "bench/comm/mpi/mpi_communicator.h"

namespace lepton::bench {
namespace {

constexpr int kCallsPerIteration = 20;
// Untimed calls before each benchmark's first iteration. Small messages need tens of calls to
// reach a steady state (with 5, whichever of the pair ran first at a new size was 10-15 ns a
// call slower at 8 B), large ones one or two, so the warm-up is capped at about 64 MiB moved.
constexpr int kMaxWarmupCalls = 100;
constexpr std::size_t kWarmupBytes = std::size_t{64} << 20;

int WarmupCalls(std::size_t bytes) {
  return static_cast<int>(
      std::clamp<std::size_t>(kWarmupBytes / std::max<std::size_t>(bytes, 1), 2, kMaxWarmupCalls));
}
constexpr int kIterations = 10;

Communicator* lepton_world = nullptr;  // owned by main, alive for every benchmark

template <typename AllReduce>
void TimeAllReduce(benchmark::State& state, AllReduce all_reduce) {
  const auto bytes = static_cast<std::size_t>(state.range(0));
  const std::size_t count = bytes / sizeof(float);
  std::vector<float> send(count, 1.0F);
  std::vector<float> recv(count, 0.0F);
  for (int i = 0, n = WarmupCalls(bytes); i < n; ++i) all_reduce(send.data(), recv.data(), count);
  for (auto _ : state) {
    MPI_Barrier(MPI_COMM_WORLD);
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kCallsPerIteration; ++i) all_reduce(send.data(), recv.data(), count);
    double per_call =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() /
        kCallsPerIteration;
    MPI_Allreduce(MPI_IN_PLACE, &per_call, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    state.SetIterationTime(per_call);
  }
  const double ranks = lepton_world->size();
  state.counters["busbw_GB"] =
      benchmark::Counter(static_cast<double>(bytes) * 2.0 * (ranks - 1) / ranks / 1e9,
                         benchmark::Counter::kIsIterationInvariantRate);
  state.counters["ranks"] = ranks;
}

void BM_LeptonAllReduce(benchmark::State& state) {
  TimeAllReduce(state, [](const float* send, float* recv, std::size_t count) {
    if (!lepton_world->AllReduce(send, recv, count, DataType::kFloat32, ReduceOp::kSum).ok()) {
      std::abort();  // a benchmark has no other way out; the MPI error was returned, not raised
    }
  });
}

void BM_PlainMpiAllreduce(benchmark::State& state) {
  TimeAllReduce(state, [](const float* send, float* recv, std::size_t count) {
    MPI_Allreduce(send, recv, static_cast<int>(count), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
  });
}

// Both at each size before the next size, 8 B to 16 MiB by factors of 8, so drift in the
// machine's load hits both alike.
void RegisterAlternating() {
  for (std::int64_t bytes = 8; bytes <= (std::int64_t{64} << 20); bytes *= 8) {
    benchmark::RegisterBenchmark("BM_LeptonAllReduce", BM_LeptonAllReduce)
        ->Arg(bytes)
        ->UseManualTime()
        ->Iterations(kIterations);
    benchmark::RegisterBenchmark("BM_PlainMpiAllreduce", BM_PlainMpiAllreduce)
        ->Arg(bytes)
        ->UseManualTime()
        ->Iterations(kIterations);
  }
}

// Ranks other than 0 run every benchmark (the collectives need them) but print nothing.
class SilentReporter final : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context& /*context*/) override { return true; }
  void ReportRuns(const std::vector<Run>& /*runs*/) override {}
};

}  // namespace
}  // namespace lepton::bench

int main(int argc, char** argv) {
  auto world = lepton::bench::MakeMpiWorldCommunicator();
  if (!world) {
    std::fprintf(stderr, "cannot start MPI: %s\n", world.error().ToString().c_str());
    return 2;
  }
  lepton::bench::lepton_world = world->get();
  lepton::bench::RegisterAlternating();
  benchmark::Initialize(&argc, argv);
  std::size_t benchmarks_run = 0;
  if ((*world)->rank() == 0) {
    benchmarks_run = benchmark::RunSpecifiedBenchmarks();
  } else {
    lepton::bench::SilentReporter silent;
    benchmarks_run = benchmark::RunSpecifiedBenchmarks(&silent);
  }
  benchmark::Shutdown();
  world->reset();  // finalizes MPI
  // A filter that matches nothing must not pass for a measurement (the smoke test relies on it).
  if (benchmarks_run == 0) {
    std::fprintf(stderr, "no benchmark matched --benchmark_filter\n");
    return 2;
  }
  return 0;
}
