#include "bench/backends/cpu/mlp.h"

#include <dnnl.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "bench/models/mlp_parameters.h"

namespace lepton::bench {
namespace {

// The elementwise loops are cloned for AVX-512 and AVX2 and picked at load time (ifunc), so one
// portable binary runs them at the machine's vector width; the file is built with
// -fno-math-errno so sqrt vectorizes. Not under ThreadSanitizer: GCC instruments the ifunc
// resolver, which the dynamic loader runs before the TSan runtime starts, so every binary that
// links this file would crash at load.
#ifdef __SANITIZE_THREAD__
#define LEPTON_VECTOR_CLONES
#else
#define LEPTON_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#endif

// One Adam step on `count` contiguous parameters (PyTorch's formulation, see Mlp::AdamUpdate).
LEPTON_VECTOR_CLONES
void AdamKernel(float* __restrict p, const float* __restrict g, float* __restrict m,
                float* __restrict v, std::size_t count, float b1, float b2, float step_size,
                float inverse_root_bias2, float epsilon) {
  for (std::size_t i = 0; i < count; ++i) {
    m[i] = b1 * m[i] + (1.0F - b1) * g[i];
    v[i] = b2 * v[i] + (1.0F - b2) * g[i] * g[i];
    p[i] -= step_size * m[i] / (std::sqrt(v[i]) * inverse_root_bias2 + epsilon);
  }
}

LEPTON_VECTOR_CLONES
void Relu(float* __restrict x, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) x[i] = x[i] > 0.0F ? x[i] : 0.0F;
}

// dh = h > 0 ? dh : 0, and the column sums of dh added to db.
LEPTON_VECTOR_CLONES
void ReluBackward(float* __restrict dh, const float* __restrict h, float* __restrict db, int rows,
                  int cols) {
  for (int r = 0; r < rows; ++r) {
    float* d = dh + static_cast<std::size_t>(r) * cols;
    const float* a = h + static_cast<std::size_t>(r) * cols;
    for (int j = 0; j < cols; ++j) {
      d[j] = a[j] > 0.0F ? d[j] : 0.0F;
      db[j] += d[j];
    }
  }
}

// Row-major C = alpha * op(A) * op(B) + beta * C through oneDNN.
Status Sgemm(char transa, char transb, int m, int n, int k, const float* a, int lda, const float* b,
             int ldb, float beta, float* c, int ldc) {
  const dnnl_status_t status =
      dnnl_sgemm(transa, transb, m, n, k, 1.0F, a, lda, b, ldb, beta, c, ldc);
  if (status != dnnl_success) {
    return InternalError("dnnl_sgemm failed with status " + std::to_string(status));
  }
  return OkStatus();
}

}  // namespace

Mlp::Mlp(MlpShape shape, int max_batch) : shape_(shape), max_batch_(max_batch) {
  const std::size_t count = b2() + static_cast<std::size_t>(shape_.outputs);
  params_.assign(count, 0.0F);
  grads_.assign(count, 0.0F);
  adam_m_.assign(count, 0.0F);
  adam_v_.assign(count, 0.0F);
  hidden_.assign(static_cast<std::size_t>(max_batch) * shape_.hidden, 0.0F);
  logits_.assign(static_cast<std::size_t>(max_batch) * shape_.outputs, 0.0F);
  dhidden_.assign(static_cast<std::size_t>(max_batch) * shape_.hidden, 0.0F);
}

void Mlp::Initialize(std::uint64_t seed) {
  params_ = InitialMlpParameters(shape_, seed);
  std::fill(adam_m_.begin(), adam_m_.end(), 0.0F);
  std::fill(adam_v_.begin(), adam_v_.end(), 0.0F);
  adam_step_ = 0;
}

Status Mlp::HiddenAndLogits(const float* x, int batch, float* logits) {
  if (batch < 1 || batch > max_batch_) {
    return InvalidArgumentError("batch of " + std::to_string(batch) + " rows; the model holds " +
                                std::to_string(max_batch_));
  }
  const int in = shape_.inputs;
  const int hid = shape_.hidden;
  const int out = shape_.outputs;
  // Bias first, then GEMM with beta = 1 adds the product: the bias add costs no extra pass.
  for (int r = 0; r < batch; ++r) {
    std::copy_n(params_.data() + b1(), hid, hidden_.data() + static_cast<std::size_t>(r) * hid);
    std::copy_n(params_.data() + b2(), out, logits + static_cast<std::size_t>(r) * out);
  }
  LEPTON_RETURN_IF_ERROR(Sgemm('N', 'N', batch, hid, in, x, in, params_.data() + w1(), hid, 1.0F,
                               hidden_.data(), hid));
  Relu(hidden_.data(), static_cast<std::size_t>(batch) * hid);
  return Sgemm('N', 'N', batch, out, hid, hidden_.data(), hid, params_.data() + w2(), out, 1.0F,
               logits, out);
}

Status Mlp::Forward(const float* x, int batch, float* logits) {
  return HiddenAndLogits(x, batch, logits);
}

Result<float> Mlp::ComputeGradients(const float* x, const std::uint8_t* labels, int batch) {
  LEPTON_RETURN_IF_ERROR(HiddenAndLogits(x, batch, logits_.data()));
  const int in = shape_.inputs;
  const int hid = shape_.hidden;
  const int out = shape_.outputs;
  // Softmax cross-entropy and its gradient (softmax - onehot) / batch, in place.
  double loss = 0;
  const float inverse_batch = 1.0F / static_cast<float>(batch);
  float* db2 = grads_.data() + b2();
  std::fill_n(db2, out, 0.0F);
  for (int r = 0; r < batch; ++r) {
    float* z = logits_.data() + static_cast<std::size_t>(r) * out;
    const float max = *std::max_element(z, z + out);
    float sum = 0;
    for (int c = 0; c < out; ++c) {
      z[c] = std::exp(z[c] - max);
      sum += z[c];
    }
    const int label = labels[r];
    loss -= std::log(static_cast<double>(z[label]) / sum);
    const float scale = inverse_batch / sum;
    for (int c = 0; c < out; ++c) {
      z[c] = z[c] * scale - (c == label ? inverse_batch : 0.0F);
      db2[c] += z[c];
    }
  }
  // dW2 = H^T dZ ; dH = dZ W2^T masked by ReLU ; dW1 = X^T dH.
  LEPTON_RETURN_IF_ERROR(Sgemm('T', 'N', hid, out, batch, hidden_.data(), hid, logits_.data(), out,
                               0.0F, grads_.data() + w2(), out));
  LEPTON_RETURN_IF_ERROR(Sgemm('N', 'T', batch, hid, out, logits_.data(), out,
                               params_.data() + w2(), out, 0.0F, dhidden_.data(), hid));
  float* db1 = grads_.data() + b1();
  std::fill_n(db1, hid, 0.0F);
  ReluBackward(dhidden_.data(), hidden_.data(), db1, batch, hid);
  LEPTON_RETURN_IF_ERROR(Sgemm('T', 'N', in, hid, batch, x, in, dhidden_.data(), hid, 0.0F,
                               grads_.data() + w1(), hid));
  return static_cast<float>(loss / batch);
}

void Mlp::AdamUpdate(const AdamSettings& adam) {
  ++adam_step_;
  // PyTorch's formulation: p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps).
  const auto t = static_cast<double>(adam_step_);
  const auto step_size =
      static_cast<float>(adam.learning_rate / (1.0 - std::pow(double{adam.beta1}, t)));
  const auto inverse_root_bias2 =
      static_cast<float>(1.0 / std::sqrt(1.0 - std::pow(double{adam.beta2}, t)));
  // Split across the libgomp team oneDNN's GEMMs run on: a lone thread runs beside an OpenMP
  // worker spinning on the sibling core, which measured 2-3x slower per training step. Each
  // thread runs the vector clone on a share starting on a multiple of 16 floats. The same loop as
  // `#pragma omp parallel for simd schedule(static)` measured 88-93 us a step on this 2-core
  // AVX-512 machine against 32 us for this split (59 us on one thread either way).
  float* const p = params_.data();
  float* const g = grads_.data();
  float* const m = adam_m_.data();
  float* const v = adam_v_.data();
  const std::size_t count = params_.size();
#pragma omp parallel
  {
    const auto share = [&](int k) {
      const auto team = static_cast<std::size_t>(omp_get_num_threads());
      const auto index = static_cast<std::size_t>(k);
      return index >= team ? count : count * index / team / 16 * 16;
    };
    const int thread = omp_get_thread_num();
    const std::size_t begin = share(thread);
    const std::size_t end = share(thread + 1);
    AdamKernel(p + begin, g + begin, m + begin, v + begin, end - begin, adam.beta1, adam.beta2,
               step_size, inverse_root_bias2, adam.epsilon);
  }
}

Result<float> Mlp::TrainStep(const float* x, const std::uint8_t* labels, int batch,
                             const AdamSettings& adam) {
  LEPTON_ASSIGN_OR_RETURN(const float loss, ComputeGradients(x, labels, batch));
  AdamUpdate(adam);
  return loss;
}

}  // namespace lepton::bench
