#pragma once
// The CPU's arithmetic for the reference MLP (bench/models/mlp_definition.h) trained with Adam.
// The five GEMMs of a step go through oneDNN's dnnl_sgemm, which picks its kernels from the
// CPU's ISA at run time; bias, ReLU, softmax cross-entropy and Adam are fused loops.
//
// Parameters live in one contiguous buffer [W1 | b1 | W2 | b2] (W row-major, inputs x hidden and
// hidden x outputs) so Adam updates all of them in one pass.

#include <cstdint>
#include <span>
#include <vector>

#include "bench/models/mlp_definition.h"
#include "conformance/core/status.h"

namespace lepton::bench {

class Mlp {
 public:
  Mlp(MlpShape shape, int max_batch);

  // PyTorch's nn.Linear default: every weight and bias uniform in [-1/sqrt(fan_in),
  // 1/sqrt(fan_in)), drawn from std::mt19937_64(seed) in the order W1, b1, W2, b2. Resets Adam.
  void Initialize(std::uint64_t seed);

  // One step of Adam on `batch` rows of `x` (batch x inputs) with their labels; returns the
  // batch's mean cross-entropy before the update.
  Result<float> TrainStep(const float* x, const std::uint8_t* labels, int batch,
                          const AdamSettings& adam);

  // Logits (batch x outputs) for `batch` <= max_batch rows of x.
  Status Forward(const float* x, int batch, float* logits);

  [[nodiscard]] std::span<const float> parameters() const { return params_; }
  [[nodiscard]] std::span<const float> weights1() const { return Slice(w1(), b1()); }
  [[nodiscard]] std::span<const float> bias1() const { return Slice(b1(), w2()); }
  [[nodiscard]] std::span<const float> weights2() const { return Slice(w2(), b2()); }
  [[nodiscard]] std::span<const float> bias2() const { return Slice(b2(), params_.size()); }
  [[nodiscard]] std::span<float> mutable_parameters() { return params_; }
  [[nodiscard]] std::span<const float> gradients() const { return grads_; }
  // Data-parallel training scales and all-reduces the gradients before AdamUpdate.
  [[nodiscard]] std::span<float> mutable_gradients() { return grads_; }
  [[nodiscard]] const MlpShape& shape() const { return shape_; }
  [[nodiscard]] int max_batch() const { return max_batch_; }

  // Forward and backward only (gradients into gradients()); TrainStep = this + AdamUpdate.
  Result<float> ComputeGradients(const float* x, const std::uint8_t* labels, int batch);
  void AdamUpdate(const AdamSettings& adam);

 private:
  [[nodiscard]] std::size_t w1() const { return 0; }
  [[nodiscard]] std::size_t b1() const {
    return w1() + static_cast<std::size_t>(shape_.inputs) * shape_.hidden;
  }
  [[nodiscard]] std::size_t w2() const { return b1() + shape_.hidden; }
  [[nodiscard]] std::size_t b2() const {
    return w2() + static_cast<std::size_t>(shape_.hidden) * shape_.outputs;
  }
  Status HiddenAndLogits(const float* x, int batch, float* logits);
  [[nodiscard]] std::span<const float> Slice(std::size_t begin, std::size_t end) const {
    return std::span<const float>(params_).subspan(begin, end - begin);
  }

  MlpShape shape_;
  int max_batch_;
  std::vector<float> params_;
  std::vector<float> grads_;
  std::vector<float> adam_m_;
  std::vector<float> adam_v_;
  std::int64_t adam_step_ = 0;
  std::vector<float> hidden_;   // max_batch x hidden, post-ReLU
  std::vector<float> logits_;   // max_batch x outputs, then dL/dlogits
  std::vector<float> dhidden_;  // max_batch x hidden
};

}  // namespace lepton::bench
