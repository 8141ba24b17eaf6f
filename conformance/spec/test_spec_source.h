#pragma once
// An in-memory SpecSource for tests: files by relative path.

#include <map>
#include <string>

#include "conformance/spec/spec_source.h"

namespace lepton::spec {

class MapSource final : public SpecSource {
 public:
  explicit MapSource(std::map<std::string, std::string> files) : files_(std::move(files)) {}
  Result<std::string> Read(std::string_view relative_path) const override {
    LEPTON_RETURN_IF_ERROR(CheckRelativeSpecPath(relative_path));
    auto it = files_.find(std::string(relative_path));
    if (it == files_.end()) return std::unexpected(NotFoundError(DisplayName(relative_path)));
    return it->second;
  }
  [[nodiscard]] std::string DisplayName(std::string_view relative_path) const override {
    return std::string(relative_path);
  }

 private:
  std::map<std::string, std::string> files_;
};

// A small valid spec: one profile pair, a probe and a regression workload, two requirements.
inline std::string ValidSpecText() {
  return R"(spec: test-spec
version: 1.2.3
status: draft
profiles:
  cpu: {devices: cpu}
  ci: {devices: cpu, scale: small}
  gpu: {devices: cuda, requires: {gpus: ">= 1"}}
workloads:
  system:
    type: system_probe
  regression:
    type: linear_regression
    dataset: {source: synthetic, rows: 1000, features: 4, noise_sigma: 0.1, holdout_fraction: 0.1}
    model: {intercept: true}
    optimizer: {name: sgd, lr: 0.01}
    batch_size: 32
    epochs: 1
    seed: 7
    precision: fp64
    scale:
      small: {dataset: {rows: 200}}
requirements:
  - id: IF-CORES
    kind: interface
    level: MUST
    title: cores
    workload: system
    metric: cpu_cores
    unit: count
    statistic: min
    threshold: {op: ">=", all: 1}
  - id: PERF-ROWS
    kind: performance
    level: SHOULD
    title: rows
    workload: regression
    metric: rows_per_second
    unit: rows/s
    statistic: median
    runs: {all: 3, ci: 2}
    threshold: {op: ">=", cpu: 100, ci: 10}
    applies_if: "ranks >= 2"
    headline: true
)";
}

// A spec with an energy requirement on the MNIST training workload.
inline std::string EnergySpecText() {
  return R"(spec: energy-test
version: 1.0.0
status: draft
profiles:
  cpu: {devices: cpu, energy: {min_region_s: 30, idle_s: 5, sample_hz: 20, max_gap_s: 1.5}}
  ci: {devices: cpu}
workloads:
  mlp:
    type: mnist_mlp_train
    dataset: {name: mnist-digits}
    model: {layers: [784, 32, 10], activation: relu, loss: softmax_cross_entropy,
            init: pytorch_linear_uniform}
    optimizer: {name: adam, lr: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1.0e-8}
    batch_size: 64
    epochs: 1
    seed: 1
    precision: fp32
    quality_target: {accuracy: 0.5}
requirements:
  - id: ENERGY-MLP
    kind: energy
    level: MUST
    title: energy per sample
    workload: mlp
    metric: joules_per_sample
    unit: J/sample
    statistic: median
    methods: [analyser, on-die-counter]
    threshold: {op: "<=", all: 0.01}
)";
}

}  // namespace lepton::spec
