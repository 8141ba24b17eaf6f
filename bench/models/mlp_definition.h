#pragma once
// What defines the reference MLP on every device: its shape (inputs -> hidden ReLU -> outputs,
// softmax cross-entropy) and Adam's settings. The CPU (bench/backends/cpu/mlp.h) and CUDA
// (bench/backends/cuda/) models and the MNIST workloads all take them from here.

namespace lepton::bench {

struct MlpShape {
  int inputs = 784;
  int hidden = 256;
  int outputs = 10;
};

struct AdamSettings {
  float learning_rate = 0.001F;
  float beta1 = 0.9F;
  float beta2 = 0.999F;
  float epsilon = 1e-8F;
};

}  // namespace lepton::bench
