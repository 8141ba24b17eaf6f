// One training step of the reference MLP (784-256-10, batch 64) against its five GEMMs alone,
// the Adam update alone, and batch inference.
//
//   build/release/bench/micro/lepton_micro_benchmarks --benchmark_filter=Mnist
//       --benchmark_repetitions=5 --benchmark_report_aggregates_only=true   (one line)
//
// The target: a whole step at most 1.4x its GEMMs alone.

#include <benchmark/benchmark.h>
#include <dnnl.h>

#include <random>
#include <vector>

#include "bench/backends/cpu/mlp.h"

namespace lepton::bench {
namespace {

constexpr MlpShape kShape{.inputs = 784, .hidden = 256, .outputs = 10};
constexpr int kBatch = 64;

struct Inputs {
  std::vector<float> x;
  std::vector<std::uint8_t> labels;
  explicit Inputs(int rows) {
    std::mt19937_64 rng(1);
    for (int i = 0; i < rows * kShape.inputs; ++i) {
      x.push_back(static_cast<float>(rng() % 256) / 255.0F);
    }
    for (int i = 0; i < rows; ++i) labels.push_back(static_cast<std::uint8_t>(rng() % 10));
  }
};

void BM_MnistTrainStep(benchmark::State& state) {
  Inputs inputs(kBatch);
  Mlp model(kShape, kBatch);
  model.Initialize(1);
  for (auto _ : state) {
    auto loss = model.TrainStep(inputs.x.data(), inputs.labels.data(), kBatch, AdamSettings{});
    benchmark::DoNotOptimize(loss);
  }
  state.counters["samples/s"] =
      benchmark::Counter(static_cast<double>(kBatch) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate);
}

// The same five products as a step: X.W1, H.W2, H^T.dZ, dZ.W2^T, X^T.dH.
void BM_MnistStepGemmsOnly(benchmark::State& state) {
  Inputs inputs(kBatch);
  const int in = kShape.inputs;
  const int hid = kShape.hidden;
  const int out = kShape.outputs;
  std::vector<float> w1(static_cast<std::size_t>(in) * hid, 0.01F);
  std::vector<float> w2(static_cast<std::size_t>(hid) * out, 0.01F);
  std::vector<float> h(static_cast<std::size_t>(kBatch) * hid);
  std::vector<float> z(static_cast<std::size_t>(kBatch) * out, 0.01F);
  std::vector<float> dh(static_cast<std::size_t>(kBatch) * hid);
  std::vector<float> dw1(w1.size());
  std::vector<float> dw2(w2.size());
  for (auto _ : state) {
    dnnl_sgemm('N', 'N', kBatch, hid, in, 1.0F, inputs.x.data(), in, w1.data(), hid, 1.0F, h.data(),
               hid);
    dnnl_sgemm('N', 'N', kBatch, out, hid, 1.0F, h.data(), hid, w2.data(), out, 1.0F, z.data(),
               out);
    dnnl_sgemm('T', 'N', hid, out, kBatch, 1.0F, h.data(), hid, z.data(), out, 0.0F, dw2.data(),
               out);
    dnnl_sgemm('N', 'T', kBatch, hid, out, 1.0F, z.data(), out, w2.data(), out, 0.0F, dh.data(),
               hid);
    dnnl_sgemm('T', 'N', in, hid, kBatch, 1.0F, inputs.x.data(), in, dh.data(), hid, 0.0F,
               dw1.data(), hid);
    benchmark::ClobberMemory();
  }
}

void BM_MnistAdamUpdate(benchmark::State& state) {
  Inputs inputs(kBatch);
  Mlp model(kShape, kBatch);
  model.Initialize(1);
  auto gradients = model.ComputeGradients(inputs.x.data(), inputs.labels.data(), kBatch);
  for (auto _ : state) {
    model.AdamUpdate(AdamSettings{});
    benchmark::ClobberMemory();
  }
  state.counters["params"] = static_cast<double>(model.parameters().size());
}

void BM_MnistInference(benchmark::State& state) {
  const auto batch = static_cast<int>(state.range(0));
  Inputs inputs(batch);
  Mlp model(kShape, batch);
  model.Initialize(1);
  std::vector<float> logits(static_cast<std::size_t>(batch) * kShape.outputs);
  for (auto _ : state) {
    auto status = model.Forward(inputs.x.data(), batch, logits.data());
    benchmark::DoNotOptimize(status);
  }
  state.counters["images/s"] =
      benchmark::Counter(static_cast<double>(batch) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate);
}

BENCHMARK(BM_MnistTrainStep)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_MnistStepGemmsOnly)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_MnistAdamUpdate)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_MnistInference)->Arg(1)->Arg(1000)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace lepton::bench
