// The closed-form least-squares solve against its dominant BLAS call timed alone.
//
//   build/release/bench/micro/lepton_micro_benchmarks --benchmark_filter=Regression
//       --benchmark_repetitions=5 --benchmark_report_aggregates_only=true   (one line)
//
// BM_RegressionClosedForm is the workload's timed step (DSYRK over the augmented rows, then
// DPOSV on the (d+1)x(d+1) normal equations); BM_RegressionDsyrkOnly is the same DSYRK alone.
// Their ratio is the solver's overhead over BLAS; the target is at most 1.5x.

#include <benchmark/benchmark.h>
#include <cblas.h>

#include <map>
#include <memory>

#include "bench/backends/cpu/cpu_regression.h"
#include "bench/workloads/linear_regression/regression_sources.h"

namespace lepton::bench {
namespace {

constexpr int kFeatures = 64;

// Generated once per size: the data generation is not what is measured.
const RegressionData& DataWithRows(std::int64_t rows) {
  static std::map<std::int64_t, std::unique_ptr<RegressionData>> cache;
  auto& slot = cache[rows];
  if (!slot) {
    // The spec's full-scale parameters: 64 features, noise 0.5, 5% held out, its seed.
    slot = std::make_unique<RegressionData>(
        GenerateSynthetic({rows, kFeatures, 0.5, 0.05, 20261123}).value());
  }
  return *slot;
}

void SetRowCounters(benchmark::State& state, const RegressionData& data) {
  state.counters["rows/s"] = benchmark::Counter(
      static_cast<double>(data.train_rows) * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate);
}

void BM_RegressionClosedForm(benchmark::State& state) {
  const RegressionData& data = DataWithRows(state.range(0));
  NormalEquationsSolver solver;
  for (auto _ : state) {
    auto coefficients = solver.Solve(data, true);
    if (!coefficients) {
      state.SkipWithError(coefficients.error().ToString().c_str());
      break;
    }
    benchmark::DoNotOptimize(coefficients->data());
  }
  SetRowCounters(state, data);
}

void BM_RegressionDsyrkOnly(benchmark::State& state) {
  const RegressionData& data = DataWithRows(state.range(0));
  const int k = data.stride();
  std::vector<double> gram(static_cast<std::size_t>(k) * k);
  for (auto _ : state) {
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, k, static_cast<int>(data.train_rows), 1.0,
                data.train.data(), k, 0.0, gram.data(), k);
    benchmark::DoNotOptimize(gram.data());
    benchmark::ClobberMemory();
  }
  SetRowCounters(state, data);
}

void BM_RegressionSgdEpoch(benchmark::State& state) {
  const RegressionData& data = DataWithRows(state.range(0));
  SgdSolver solver;
  const SgdSettings settings{
      .learning_rate = 0.01, .batch_size = 256, .epochs = 1, .seed = 1, .intercept = true};
  for (auto _ : state) {
    auto result = solver.Solve(data, settings);
    benchmark::DoNotOptimize(result);
  }
  SetRowCounters(state, data);
}

BENCHMARK(BM_RegressionClosedForm)->Arg(20'000)->Arg(2'000'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RegressionDsyrkOnly)->Arg(20'000)->Arg(2'000'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RegressionSgdEpoch)->Arg(20'000)->Arg(2'000'000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace lepton::bench
