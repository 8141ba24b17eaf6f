#pragma once
// The linear-regression workload's two solvers on a GPU, written once over a Device as
// mlp_step.h is: the closed form's Gram matrix as one column-major DSYRK (cuBLAS on the GPU, a
// reference in the host test), and mini-batch SGD as one block-wide kernel per epoch, its
// batches one after another.
// The arithmetic follows bench/backends/cpu/cpu_regression.cc: r = X_b w + (b - y),
// b -= lr / B * sum(r), w -= lr / B * X_b^T r, the epoch's squared residuals summed batch by batch.
//
// C++20 and free of CUDA headers (see mlp_step.h for the Device requirements; here its Gemm is
// replaced by Syrk(const ColumnMajorSyrk&), and ForBlock(body) runs `body.Threads()` threads of one
// block through `body.phases()` phases with `body.scratch()` doubles of block-shared scratch).

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
// row-major upper triangle cpu/cpu_regression.cc reads: row-major Z is column-major Z^T (stride x
// rows), so Z^T Z = A A^T, and a row-major upper triangle is the column-major lower one.
constexpr ColumnMajorSyrk AugmentedGramAsSyrk(const double* rows, int row_count, int stride,
                                              double* gram) {
  return ColumnMajorSyrk{stride, row_count, rows, stride, gram, stride};
}

struct SgdState {
  std::int64_t batch_in_epoch;  // batches done this epoch
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

// One SGD batch as one block of `threads` threads (a power of two) working in phases, every
// thread finishing a phase before any starts the next (Device::ForBlock: __syncthreads on the
// GPU), its sums spread over the block: three launches per batch, two of them one-thread loops
// over the batch, took 55 us a batch on an H200, slower than the CPU; SgdEpochBlock runs these
// phases batch after batch.
// The sums are tree-ordered, so the figures agree with the CPU solver's to rounding, not bitwise.
//   phase 0: r_i = x_i . w + (b - y_i) for rows i = t, t + threads, ...; each thread's sum of r
//            and of r^2 into the scratch
//   phase 1: each thread's part of sum_i x_ij r_i: the block's threads split into `parts()`
//            groups of `features` (consecutive threads read consecutive features of a row), a
//            group taking rows part, part + parts(), ...
//   phases 2 .. 1 + log2(threads): the per-thread sums halved pairwise down to one
//   last phase: w_j -= lr / B * (the parts' sums, in part order); thread 0 steps the intercept,
//            adds the squares to the epoch's and moves on to the next batch
struct SgdBlockBatch {
  SgdBuffers s;
  int threads;

  [[nodiscard]] LEPTON_HOST_DEVICE int Threads() const { return threads; }
  [[nodiscard]] LEPTON_HOST_DEVICE int parts() const {
    return s.features <= threads ? threads / s.features : 1;
  }
  // The scratch doubles: threads sums, threads squares, then parts() x features partial sums.
  [[nodiscard]] LEPTON_HOST_DEVICE std::int64_t scratch() const {
    return 2 * static_cast<std::int64_t>(threads) + static_cast<std::int64_t>(parts()) * s.features;
  }
  [[nodiscard]] LEPTON_HOST_DEVICE std::int64_t phases() const {
    int rounds = 0;
    for (int half = threads / 2; half > 0; half /= 2) ++rounds;
    return 3 + rounds;
  }

  // Read in phases 0 and 1 only: the last phase moves the batch on.
  [[nodiscard]] LEPTON_HOST_DEVICE const double* BatchRows() const {
    return s.rows + s.block_order[s.state->batch_in_epoch] * s.batch * s.stride;
  }

  LEPTON_HOST_DEVICE void operator()(std::int64_t phase, int t, double* scratch) const {
    double* sums = scratch;
    double* squares = scratch + threads;
    double* partials = scratch + 2 * threads;
    if (phase == 0) {
      const double* rows = BatchRows();
      double sum = 0;
      double sum_squares = 0;
      for (int i = t; i < s.batch; i += threads) {
        const double* row = rows + static_cast<std::int64_t>(i) * s.stride;
        double dot = 0;
        for (int j = 0; j < s.features; ++j) dot += row[j] * s.weights[j];
        const double r = dot + (s.state->intercept - row[s.stride - 1]);
        s.residual[i] = r;
        sum += r;
        sum_squares += r * r;
      }
      sums[t] = sum;
      squares[t] = sum_squares;
    } else if (phase == 1) {
      const int group = s.features <= threads ? s.features : threads;
      const int part = t / group;
      if (part >= parts()) return;  // the threads beyond the last whole group
      const double* rows = BatchRows();
      for (int j = t % group; j < s.features; j += group) {
        double sum = 0;
        for (int i = part; i < s.batch; i += parts()) {
          sum += rows[static_cast<std::int64_t>(i) * s.stride + j] * s.residual[i];
        }
        partials[part * s.features + j] = sum;
      }
    } else if (phase < phases() - 1) {
      const int half = threads >> static_cast<int>(phase - 1);
      if (t < half) {
        sums[t] += sums[t + half];
        squares[t] += squares[t + half];
      }
    } else {
      for (int j = t; j < s.features; j += threads) {
        double sum = 0;
        for (int part = 0; part < parts(); ++part) sum += partials[part * s.features + j];
        s.weights[j] += -s.step * sum;
      }
      if (t == 0) {
        SgdState& state = *s.state;
        if (s.fit_intercept) state.intercept -= s.step * sums[0];
        state.epoch_sum_squares += squares[0];
        state.batch_in_epoch += 1;
      }
    }
  }
};

struct SgdStartEpoch {
  SgdState* state;
  LEPTON_HOST_DEVICE void operator()(std::int64_t /*unused*/) const {
    state->batch_in_epoch = 0;
    state->epoch_sum_squares = 0;
  }
};

// Asks the GPU to bring the 128-byte line at `address` into L2; nothing on the host.
LEPTON_HOST_DEVICE inline void PrefetchToL2(const void* address) {
#if defined(__CUDA_ARCH__)
  asm volatile("prefetch.global.L2 [%0];" : : "l"(address));
#else
  (void)address;
#endif
}

// A whole epoch of SGD batches in one block, one launch: the batches are sequential, so a launch
// per batch (even replayed from a CUDA graph) paid the launch gap on every batch, and spreading a
// batch over more blocks would need a grid-wide barrier between its phases. While a batch's
// weight sums run (its phase 1), the block asks L2 for the next batch's rows, whose block the
// shuffled order already names, so that batch's residuals do not wait on device memory.
struct SgdEpochBlock {
  SgdBlockBatch batch;
  std::int64_t batches;  // in the epoch, from the state's batch_in_epoch 0

  [[nodiscard]] LEPTON_HOST_DEVICE int Threads() const { return batch.threads; }
  [[nodiscard]] LEPTON_HOST_DEVICE std::int64_t scratch() const { return batch.scratch(); }
  [[nodiscard]] LEPTON_HOST_DEVICE std::int64_t phases() const { return batches * batch.phases(); }

  LEPTON_HOST_DEVICE void operator()(std::int64_t phase, int t, double* scratch) const {
    const int step = static_cast<int>(phase % batch.phases());
    if (step == 1) PrefetchNextBatch(t);
    batch(step, t, scratch);
  }

  LEPTON_HOST_DEVICE void PrefetchNextBatch(int t) const {
    const SgdBuffers& s = batch.s;
    const std::int64_t next = s.state->batch_in_epoch + 1;
    if (next >= batches) return;
    const auto* first =
        reinterpret_cast<const char*>(s.rows + s.block_order[next] * s.batch * s.stride);
    const std::int64_t bytes = static_cast<std::int64_t>(s.batch) * s.stride * sizeof(double);
    constexpr std::int64_t kLine = 128;
    for (std::int64_t offset = t * kLine; offset < bytes; offset += batch.threads * kLine) {
      PrefetchToL2(first + offset);
    }
  }
};

// The block of the GPU's SGD kernel: 8 warps, enough to spread a batch of the standard's 256
// rows and 64 features (4 groups of 64 threads in phase 1).
inline constexpr int kSgdBlockThreads = 256;

// The epoch's `batches` batches, from a state whose batch_in_epoch is 0 (SgdStartEpoch).
template <class Device>
void EnqueueSgdEpoch(Device& device, const SgdBuffers& s, std::int64_t batches) {
  device.ForBlock(SgdEpochBlock{SgdBlockBatch{s, kSgdBlockThreads}, batches});
}

}  // namespace lepton::bench::cuda
