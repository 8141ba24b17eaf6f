#pragma once
// The reference MLP's training step and forward pass for a GPU, written once as a sequence of
// row-major GEMMs and element-wise functors over device buffers. A `Device` runs the sequence:
// the CUDA engine (cuda_mlp_engine.cu) launches each functor as a grid-stride kernel and each
// GEMM through cuBLAS inside a CUDA graph; the host test (mlp_step_test.cc) runs the same
// functors in plain loops, so the kernels' arithmetic and indexing are checked against the CPU
// model on machines without a GPU.
//
// The arithmetic follows bench/backends/cpu/mlp.cc step for step (same operation order in
// the softmax, the bias sums, the loss and Adam), so CPU and GPU differ only by GEMM summation
// order and the device's exp/log rounding.
//
// C++20 and free of CUDA headers: nvcc 13 compiles it, and so does the host compiler.
// Requirements on Device:
//   template <class Body> void ForEach(std::int64_t n, const Body& body);  // body(i), 0 <= i < n
//   void Gemm(const RowMajorGemm& gemm);

#include <cmath>
#include <cstdint>

#if defined(__CUDACC__)
#define LEPTON_HOST_DEVICE __host__ __device__
#else
#define LEPTON_HOST_DEVICE
#endif

namespace lepton::bench::cuda {

// C (m x n) = op(A) (m x k) * op(B) (k x n) + beta * C, every matrix row-major.
struct RowMajorGemm {
  bool transpose_a;
  bool transpose_b;
  int m;
  int n;
  int k;
  const float* a;
  int lda;
  const float* b;
  int ldb;
  float beta;
  float* c;
  int ldc;
};

// The same product as a column-major (BLAS, cuBLAS) call: a row-major matrix is the
// column-major view of its transpose, so C^T = op(B)^T op(A)^T with A and B swapped.
struct ColumnMajorGemm {
  bool transpose_a;
  bool transpose_b;
  int m;
  int n;
  int k;
  const float* a;
  int lda;
  const float* b;
  int ldb;
  float beta;
  float* c;
  int ldc;
};

constexpr ColumnMajorGemm ToColumnMajor(const RowMajorGemm& g) {
  return ColumnMajorGemm{g.transpose_b, g.transpose_a, g.n,   g.m,    g.k, g.b,
                         g.ldb,         g.a,           g.lda, g.beta, g.c, g.ldc};
}

struct MlpDims {
  int inputs;
  int hidden;
  int outputs;

  [[nodiscard]] LEPTON_HOST_DEVICE std::int64_t b1() const {
    return static_cast<std::int64_t>(inputs) * hidden;
  }
  [[nodiscard]] LEPTON_HOST_DEVICE std::int64_t w2() const { return b1() + hidden; }
  [[nodiscard]] LEPTON_HOST_DEVICE std::int64_t b2() const {
    return w2() + static_cast<std::int64_t>(hidden) * outputs;
  }
  [[nodiscard]] LEPTON_HOST_DEVICE std::int64_t parameters() const { return b2() + outputs; }
};

struct AdamScalars {
  float learning_rate;
  float beta1;
  float beta2;
  float epsilon;
};

// Lives in device memory and advances on the device, so one captured step serves every batch.
struct TrainingState {
  std::int64_t batch_in_epoch;  // batches done this epoch; the next starts at this x stride
  std::int64_t adam_step;       // Adam steps taken since initialisation
  float step_size;              // lr / (1 - beta1^t) for the update about to run
  float inverse_root_bias2;     // 1 / sqrt(1 - beta2^t)
};

// Device pointers of one training step over `batch` rows.
struct TrainingBuffers {
  MlpDims dims;
  int batch;         // rows in this step
  int batch_stride;  // rows in a full batch: batch k starts at order[k * batch_stride]
  int first_row;     // data parallel: this rank's first row of the global batch; 0 alone
  AdamScalars adam;
  const std::uint8_t* pixels;  // training set, items x inputs
  const std::uint8_t* labels;  // items
  const std::int32_t* order;   // the epoch's item order
  float* params;               // [W1 | b1 | W2 | b2]
  float* grads;
  float* adam_m;
  float* adam_v;
  float* x;                    // batch x inputs
  std::uint8_t* batch_labels;  // batch
  float* hidden;               // batch x hidden, post-ReLU
  float* logits;               // batch x outputs, then dLoss/dlogits
  float* dhidden;              // batch x hidden
  double* row_loss;            // batch
  float* batch_loss;           // one per batch of the epoch
  TrainingState* state;
};

// Rows of the batch as x, pixels scaled to [0, 1], and their labels.
struct GatherBatch {
  TrainingBuffers b;
  LEPTON_HOST_DEVICE void operator()(std::int64_t i) const {
    const std::int64_t row = i / b.dims.inputs;
    const std::int64_t pixel = i % b.dims.inputs;
    const std::int64_t item = b.order[b.state->batch_in_epoch * b.batch_stride + b.first_row + row];
    b.x[i] = static_cast<float>(b.pixels[item * b.dims.inputs + pixel]) * (1.0F / 255.0F);
    if (pixel == 0) b.batch_labels[row] = b.labels[item];
  }
};

// h = max(h + b1, 0) over rows x hidden, after the GEMM h = x W1.
struct BiasRelu {
  float* hidden;
  const float* bias;
  int width;
  LEPTON_HOST_DEVICE void operator()(std::int64_t i) const {
    const float h = hidden[i] + bias[i % width];
    hidden[i] = h > 0.0F ? h : 0.0F;
  }
};

// z += b2 over rows x outputs, after the GEMM z = h W2 (the forward pass's logits).
struct AddBias {
  float* values;
  const float* bias;
  int width;
  LEPTON_HOST_DEVICE void operator()(std::int64_t i) const { values[i] += bias[i % width]; }
};

// One thread per row: the logits get b2, then become (softmax - onehot) / batch in place, and
// the row's cross-entropy goes to row_loss (as cpu/mlp.cc's ComputeGradients).
struct SoftmaxCrossEntropy {
  TrainingBuffers b;
  LEPTON_HOST_DEVICE void operator()(std::int64_t row) const {
    const int outputs = b.dims.outputs;
    const float* bias = b.params + b.dims.b2();
    float* z = b.logits + row * outputs;
    float max = z[0] + bias[0];
    for (int c = 0; c < outputs; ++c) {
      z[c] += bias[c];
      max = z[c] > max ? z[c] : max;
    }
    float sum = 0;
    for (int c = 0; c < outputs; ++c) {
      z[c] = expf(z[c] - max);
      sum += z[c];
    }
    const int label = b.batch_labels[row];
    b.row_loss[row] = -log(static_cast<double>(z[label]) / sum);
    const float inverse_batch = 1.0F / static_cast<float>(b.batch);
    const float scale = inverse_batch / sum;
    for (int c = 0; c < outputs; ++c) z[c] = z[c] * scale - (c == label ? inverse_batch : 0.0F);
  }
};

// sums[j] = sum over rows of values[r][j], rows in order (one thread per column).
struct ColumnSums {
  const float* values;
  float* sums;
  int rows;
  int width;
  LEPTON_HOST_DEVICE void operator()(std::int64_t column) const {
    float sum = 0;
    for (int r = 0; r < rows; ++r) sum += values[static_cast<std::int64_t>(r) * width + column];
    sums[column] = sum;
  }
};

// dh = h > 0 ? dh : 0.
struct ReluMask {
  float* dhidden;
  const float* hidden;
  LEPTON_HOST_DEVICE void operator()(std::int64_t i) const {
    dhidden[i] = hidden[i] > 0.0F ? dhidden[i] : 0.0F;
  }
};

// Adam's step count advanced, and its bias corrections for step t (PyTorch's formulation, in
// double as cpu/mlp.cc computes them).
LEPTON_HOST_DEVICE inline void AdvanceAdamStep(TrainingState& state, const AdamScalars& adam) {
  state.adam_step += 1;
  const auto t = static_cast<double>(state.adam_step);
  state.step_size = static_cast<float>(static_cast<double>(adam.learning_rate) /
                                       (1.0 - pow(static_cast<double>(adam.beta1), t)));
  state.inverse_root_bias2 =
      static_cast<float>(1.0 / sqrt(1.0 - pow(static_cast<double>(adam.beta2), t)));
}

// One thread: the batch's mean loss into batch_loss, the next batch, and Adam's next step.
struct FinishBatch {
  TrainingBuffers b;
  LEPTON_HOST_DEVICE void operator()(std::int64_t /*unused*/) const {
    double loss = 0;
    for (int r = 0; r < b.batch; ++r) loss += b.row_loss[r];
    TrainingState& state = *b.state;
    b.batch_loss[state.batch_in_epoch] = static_cast<float>(loss / b.batch);
    state.batch_in_epoch += 1;
    AdvanceAdamStep(state, b.adam);
  }
};

struct AdamUpdate {
  TrainingBuffers b;
  LEPTON_HOST_DEVICE void operator()(std::int64_t i) const {
    const float beta1 = b.adam.beta1;
    const float beta2 = b.adam.beta2;
    const float g = b.grads[i];
    const float m = beta1 * b.adam_m[i] + (1.0F - beta1) * g;
    const float v = beta2 * b.adam_v[i] + (1.0F - beta2) * g * g;
    b.adam_m[i] = m;
    b.adam_v[i] = v;
    b.params[i] -=
        b.state->step_size * m / (sqrtf(v) * b.state->inverse_root_bias2 + b.adam.epsilon);
  }
};

// Data parallel: the gradients scaled by this rank's share of the global batch (rows / global),
// as the CPU model scales them (cpu_mlp_model.cc).
struct ScaleValues {
  float* values;
  float factor;
  LEPTON_HOST_DEVICE void operator()(std::int64_t i) const { values[i] *= factor; }
};

struct FillZero {
  float* values;
  LEPTON_HOST_DEVICE void operator()(std::int64_t i) const { values[i] = 0.0F; }
};

// Data parallel: one thread moves to the epoch's next global batch once a rank's slice is done.
struct NextBatch {
  TrainingState* state;
  LEPTON_HOST_DEVICE void operator()(std::int64_t /*unused*/) const { state->batch_in_epoch += 1; }
};

// Data parallel: one thread advances Adam's step before the update of the summed gradients.
struct NextAdamStep {
  TrainingState* state;
  AdamScalars adam;
  LEPTON_HOST_DEVICE void operator()(std::int64_t /*unused*/) const {
    AdvanceAdamStep(*state, adam);
  }
};

struct ResetEpoch {
  TrainingState* state;
  LEPTON_HOST_DEVICE void operator()(std::int64_t /*unused*/) const { state->batch_in_epoch = 0; }
};

// The gradients of the mean loss over `b.batch` rows of the epoch's current batch, from row
// `b.first_row` of it: gather, forward, softmax cross-entropy, backward (the five GEMMs of
// cpu/mlp.cc) and the bias gradients; the per-row losses stay in row_loss.
template <class Device>
void EnqueueGradients(Device& device, const TrainingBuffers& b) {
  const int batch = b.batch;
  const int in = b.dims.inputs;
  const int hid = b.dims.hidden;
  const int out = b.dims.outputs;
  float* w1 = b.params;
  float* w2 = b.params + b.dims.w2();
  const auto rows = static_cast<std::int64_t>(batch);
  device.ForEach(rows * in, GatherBatch{b});
  device.Gemm(RowMajorGemm{false, false, batch, hid, in, b.x, in, w1, hid, 0.0F, b.hidden, hid});
  device.ForEach(rows * hid, BiasRelu{b.hidden, b.params + b.dims.b1(), hid});
  device.Gemm(
      RowMajorGemm{false, false, batch, out, hid, b.hidden, hid, w2, out, 0.0F, b.logits, out});
  device.ForEach(rows, SoftmaxCrossEntropy{b});
  device.ForEach(out, ColumnSums{b.logits, b.grads + b.dims.b2(), batch, out});
  // dW2 = H^T dZ ; dH = dZ W2^T masked by ReLU ; dW1 = X^T dH.
  device.Gemm(RowMajorGemm{true, false, hid, out, batch, b.hidden, hid, b.logits, out, 0.0F,
                           b.grads + b.dims.w2(), out});
  device.Gemm(
      RowMajorGemm{false, true, batch, hid, out, b.logits, out, w2, out, 0.0F, b.dhidden, hid});
  device.ForEach(rows * hid, ReluMask{b.dhidden, b.hidden});
  device.ForEach(hid, ColumnSums{b.dhidden, b.grads + b.dims.b1(), batch, hid});
  device.Gemm(
      RowMajorGemm{true, false, in, hid, batch, b.x, in, b.dhidden, hid, 0.0F, b.grads, hid});
}

// One Adam step on the next batch of the epoch (single rank, TrainEpoch): the gradients, the
// batch's loss, Adam over all parameters. Eight kernels and five GEMMs in one CUDA graph.
template <class Device>
void EnqueueTrainingStep(Device& device, const TrainingBuffers& b) {
  EnqueueGradients(device, b);
  device.ForEach(1, FinishBatch{b});
  device.ForEach(b.dims.parameters(), AdamUpdate{b});
}

// Data parallel, the first half of a step: this rank's `b.batch` rows of the current global
// batch of `global` rows (from b.first_row; none when b.batch is 0), their gradient scaled by
// b.batch / global, then on to the next global batch. The caller sums grads over the ranks.
template <class Device>
void EnqueueSliceGradients(Device& device, const TrainingBuffers& b, int global) {
  if (b.batch > 0) {
    EnqueueGradients(device, b);
    // A share of 1 (one rank, or the single-rank reference) leaves the gradient as it is.
    if (b.batch != global) {
      const float share = static_cast<float>(b.batch) / static_cast<float>(global);
      device.ForEach(b.dims.parameters(), ScaleValues{b.grads, share});
    }
  } else {
    device.ForEach(b.dims.parameters(), FillZero{b.grads});
  }
  device.ForEach(1, NextBatch{b.state});
}

// Data parallel, the second half: Adam over all parameters from the summed gradients.
template <class Device>
void EnqueueAdamStep(Device& device, const TrainingBuffers& b) {
  device.ForEach(1, NextAdamStep{b.state, b.adam});
  device.ForEach(b.dims.parameters(), AdamUpdate{b});
}

// Device pointers of one forward pass over `batch` rows of x.
struct ForwardBuffers {
  MlpDims dims;
  int batch;
  const float* params;
  const float* x;  // batch x inputs
  float* hidden;   // batch x hidden
  float* logits;   // batch x outputs
};

template <class Device>
void EnqueueForward(Device& device, const ForwardBuffers& f) {
  const int hid = f.dims.hidden;
  const int out = f.dims.outputs;
  const auto rows = static_cast<std::int64_t>(f.batch);
  device.Gemm(RowMajorGemm{false, false, f.batch, hid, f.dims.inputs, f.x, f.dims.inputs, f.params,
                           hid, 0.0F, f.hidden, hid});
  device.ForEach(rows * hid, BiasRelu{f.hidden, f.params + f.dims.b1(), hid});
  device.Gemm(RowMajorGemm{false, false, f.batch, out, hid, f.hidden, hid, f.params + f.dims.w2(),
                           out, 0.0F, f.logits, out});
  device.ForEach(rows * out, AddBias{f.logits, f.params + f.dims.b2(), out});
}

}  // namespace lepton::bench::cuda
