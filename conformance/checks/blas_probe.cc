#include "conformance/checks/blas_probe.h"

#include <cblas.h>
#include <dnnl.h>

#include <vector>

extern "C" void ilaver_(int* major, int* minor, int* patch);

namespace lepton::checks {
namespace {

// Integer-valued inputs whose products and sums stay far below 2^24 are exact in fp32, so any
// difference from the naive product is a broken BLAS, not rounding.
bool SgemmIsExact() {
  constexpr int kN = 64;
  constexpr std::size_t kElements = std::size_t{kN} * kN;
  std::vector<float> a(kElements);
  std::vector<float> b(kElements);
  std::vector<float> c(kElements, 0.0F);
  for (int i = 0; i < kN * kN; ++i) {
    a[i] = static_cast<float>(i % 7 - 3);
    b[i] = static_cast<float>(i % 5 - 2);
  }
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, kN, kN, kN, 1.0F, a.data(), kN, b.data(),
              kN, 0.0F, c.data(), kN);
  for (int i = 0; i < kN; ++i) {
    for (int j = 0; j < kN; ++j) {
      float expected = 0;
      for (int k = 0; k < kN; ++k) expected += a[i * kN + k] * b[k * kN + j];
      if (c[i * kN + j] != expected) return false;
    }
  }
  return true;
}

}  // namespace

BlasProbe ProbeBlas() {
  BlasProbe probe;
  probe.config = openblas_get_config();
  probe.core = openblas_get_corename();
  probe.threads = openblas_get_num_threads();
  int major = 0;
  int minor = 0;
  int patch = 0;
  ilaver_(&major, &minor, &patch);
  probe.lapack_version =
      std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
  probe.sgemm_exact = SgemmIsExact();
  switch (dnnl_get_effective_cpu_isa()) {
    case dnnl_cpu_isa_sse41:
      probe.onednn_isa = "sse41";
      break;
    case dnnl_cpu_isa_avx:
      probe.onednn_isa = "avx";
      break;
    case dnnl_cpu_isa_avx2:
    case dnnl_cpu_isa_avx2_vnni:
      probe.onednn_isa = "avx2";
      break;
    case dnnl_cpu_isa_avx512_core:
    case dnnl_cpu_isa_avx512_core_vnni:
    case dnnl_cpu_isa_avx512_core_bf16:
    case dnnl_cpu_isa_avx512_core_amx:
      probe.onednn_isa = "avx512_core";
      break;
    default:
      probe.onednn_isa = "other";
      break;
  }
  return probe;
}

}  // namespace lepton::checks
