#pragma once
// The linear-regression workload's two solvers on a GPU, written once over a Device as
// mlp_step.h is: the closed form's Gram matrix as one column-major DSYRK (cuBLAS on the GPU, a
// reference in the host test), and mini-batch SGD as three element-wise functors per batch whose
// block index advances on the device, so a captured CUDA graph replays any number of batches.
// The arithmetic follows bench/workloads/linear_regression/solvers.cc: r = X_b w + (b - y),
// b -= lr / B * sum(r), w -= lr / B * X_b^T r, the epoch's squared residuals summed in order.
//
// C++20 and free of CUDA headers (see mlp_step.h for the Device requirements; here its Gemm is
// replaced by Syrk(const ColumnMajorSyrk&)).

#include <cstdint>

#include "bench/backends/cuda/mlp_step.h"

namespace lepton::bench::cuda {

// C (n x n, lower triangle) = A A^T with A column-major n x k: cublasDsyrk with
// CUBLAS_OP_N, alpha 1, beta 0.
struct ColumnMajorSyrk {
  int n;
  int k;
  const double* a;
  int lda;
  double* c;
  int ldc;
};

// The augmented Gram matrix Z^T Z of `rows` row-major rows [x, 1, y] of width `stride`, with the
// row-major upper triangle solvers.cc reads: row-major Z is column-major Z^T (stride x rows), so
// Z^T Z = A A^T, and a row-major upper triangle is the column-major lower one.
constexpr ColumnMajorSyrk AugmentedGramAsSyrk(const double* rows, int row_count, int stride,
                                              double* gram) {
  return ColumnMajorSyrk{stride, row_count, rows, stride, gram, stride};
}

struct SgdState {
  std::int64_t batch_in_epoch;  // batches done this epoch
  std::int64_t block;           // the block of rows the running batch uses
  double intercept;             // b
  double epoch_sum_squares;     // squared residuals of this epoch's batches so far
};

struct SgdBuffers {
  const double* rows;  // training rows [x, 1, y], row-major
  int stride;          // features + 2
  int features;
  int batch;                        // rows per batch; batch k of an epoch is block order[k]
  const std::int64_t* block_order;  // the epoch's shuffled blocks
  double step;                      // learning rate / batch
  bool fit_intercept;
  double* weights;   // features
  double* residual;  // batch
  SgdState* state;
};

// r_i = x_i . w + (b - y_i) for the rows of the next block (one thread per row).
struct SgdResiduals {
  SgdBuffers s;
  LEPTON_HOST_DEVICE void operator()(std::int64_t i) const {
    const std::int64_t block = s.block_order[s.state->batch_in_epoch];
    const double* row = s.rows + (block * s.batch + i) * s.stride;
    double dot = 0;
    for (int j = 0; j < s.features; ++j) dot += row[j] * s.weights[j];
    s.residual[i] = dot + (s.state->intercept - row[s.stride - 1]);
  }
};

// One thread: the residuals' sums in order, the intercept's step, and on to the next batch.
struct SgdBatchSums {
  SgdBuffers s;
  LEPTON_HOST_DEVICE void operator()(std::int64_t /*unused*/) const {
    SgdState& state = *s.state;
    double sum = 0;
    for (int i = 0; i < s.batch; ++i) {
      sum += s.residual[i];
      state.epoch_sum_squares += s.residual[i] * s.residual[i];
    }
    if (s.fit_intercept) state.intercept -= s.step * sum;
    state.block = s.block_order[state.batch_in_epoch];
    state.batch_in_epoch += 1;
  }
};

// w_j -= lr / B * sum_i x_ij r_i (one thread per feature), over the block SgdBatchSums kept.
struct SgdWeightStep {
  SgdBuffers s;
  LEPTON_HOST_DEVICE void operator()(std::int64_t j) const {
    const double* rows = s.rows + s.state->block * s.batch * s.stride;
    double sum = 0;
    for (int i = 0; i < s.batch; ++i)
      sum += rows[static_cast<std::int64_t>(i) * s.stride + j] * s.residual[i];
    s.weights[j] += -s.step * sum;
  }
};

struct SgdStartEpoch {
  SgdState* state;
  LEPTON_HOST_DEVICE void operator()(std::int64_t /*unused*/) const {
    state->batch_in_epoch = 0;
    state->epoch_sum_squares = 0;
  }
};

template <class Device>
void EnqueueSgdBatch(Device& device, const SgdBuffers& s) {
  device.ForEach(s.batch, SgdResiduals{s});
  device.ForEach(1, SgdBatchSums{s});
  device.ForEach(s.features, SgdWeightStep{s});
}

}  // namespace lepton::bench::cuda
