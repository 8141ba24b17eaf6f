#pragma once
// For tests: a Device (mlp_step.h, regression_step.h) that runs the GPU's sequences on the host,
// every functor in a plain loop, every block's phases thread by thread and every cuBLAS call
// through a reference with cuBLAS's column-major semantics, so the kernels and the argument
// mappings are checked without a GPU.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "bench/backends/cuda/mlp_step.h"
#include "bench/backends/cuda/regression_step.h"

namespace lepton::bench::cuda {

// cublasSgemm's semantics (alpha = 1): C = op(A) op(B) + beta C, every matrix column-major.
inline void ColumnMajorReferenceGemm(const ColumnMajorGemm& g) {
  for (int j = 0; j < g.n; ++j) {
    for (int i = 0; i < g.m; ++i) {
      float sum = 0;
      for (int p = 0; p < g.k; ++p) {
        const float a = g.transpose_a ? g.a[p + static_cast<std::ptrdiff_t>(i) * g.lda]
                                      : g.a[i + static_cast<std::ptrdiff_t>(p) * g.lda];
        const float b = g.transpose_b ? g.b[j + static_cast<std::ptrdiff_t>(p) * g.ldb]
                                      : g.b[p + static_cast<std::ptrdiff_t>(j) * g.ldb];
        sum += a * b;
      }
      float& c = g.c[i + static_cast<std::ptrdiff_t>(j) * g.ldc];
      c = g.beta == 0.0F ? sum : sum + g.beta * c;
    }
  }
}

// cublasDsyrk's semantics with CUBLAS_FILL_MODE_LOWER, CUBLAS_OP_N, alpha 1, beta 0: the lower
// triangle of A A^T; the upper triangle is left as it was.
inline void ColumnMajorReferenceSyrk(const ColumnMajorSyrk& s) {
  for (int j = 0; j < s.n; ++j) {
    for (int i = j; i < s.n; ++i) {
      double sum = 0;
      for (int p = 0; p < s.k; ++p) {
        sum += s.a[i + static_cast<std::ptrdiff_t>(p) * s.lda] *
               s.a[j + static_cast<std::ptrdiff_t>(p) * s.lda];
      }
      s.c[i + static_cast<std::ptrdiff_t>(j) * s.ldc] = sum;
    }
  }
}

class HostDevice {
 public:
  template <class Body>
  void ForEach(std::int64_t n, const Body& body) {
    for (std::int64_t i = 0; i < n; ++i) body(i);
    ++launches_;
  }
  // A block's phases one after another, its threads in a loop within each: in reverse when
  // set_reverse_threads(true), so a test sees a phase whose result depends on its threads' order.
  template <class Body>
  void ForBlock(const Body& body) {
    scratch_.assign(static_cast<std::size_t>(body.scratch()), 0.0);
    for (std::int64_t phase = 0; phase < body.phases(); ++phase) {
      for (int i = 0; i < body.Threads(); ++i) {
        body(phase, reverse_threads_ ? body.Threads() - 1 - i : i, scratch_.data());
      }
    }
    ++launches_;
  }
  void set_reverse_threads(bool reverse) { reverse_threads_ = reverse; }

  void Gemm(const RowMajorGemm& gemm) {
    ColumnMajorReferenceGemm(ToColumnMajor(gemm));
    ++gemms_;
  }
  void Syrk(const ColumnMajorSyrk& syrk) { ColumnMajorReferenceSyrk(syrk); }
  [[nodiscard]] int launches() const { return launches_; }
  [[nodiscard]] int gemms() const { return gemms_; }

 private:
  std::vector<double> scratch_;
  bool reverse_threads_ = false;
  int launches_ = 0;
  int gemms_ = 0;
};

}  // namespace lepton::bench::cuda
