#pragma once
// The CPU's theoretical fp32 peak (cores x frequency x FLOPs per cycle from its ISA flags) and
// whether OpenBLAS's kernel family matches the ISA. Debian's OpenBLAS 0.3.21 has been seen to
// take an AVX-512 Xeon for a 'Prescott' and run SSE3 kernels at a sixth of the speed; the suite
// says so and says how to fix it (OPENBLAS_CORETYPE) instead of hiding it.

#include <optional>
#include <string>
#include <string_view>

#include "conformance/core/status.h"

namespace lepton::checks {

enum class VectorIsa { kSse, kAvx, kAvx2, kAvx512 };
std::string_view VectorIsaName(VectorIsa isa);

// From the "flags" line of /proc/cpuinfo.
VectorIsa IsaFromCpuFlags(std::string_view flags);

// fp32 FLOPs per cycle per core, assuming two vector pipes (two FMA units where the ISA has
// FMA): SSE 8, AVX 16, AVX2+FMA 32, AVX-512 64. CPUs with one AVX-512 FMA unit peak at half.
int Fp32FlopsPerCycle(VectorIsa isa);

// The ISA an OpenBLAS kernel family (openblas_get_corename) is written for; nullopt if unknown.
std::optional<VectorIsa> OpenBlasCoreIsa(std::string_view corename);

// Empty when OpenBLAS's kernels use the CPU's widest ISA; otherwise what to set.
std::string OpenBlasAdvice(std::string_view corename, VectorIsa cpu);

struct CpuPeak {
  int cores = 0;
  double ghz = 0;
  std::string frequency_source;  // which file gave the frequency
  VectorIsa isa = VectorIsa::kSse;
  int flops_per_cycle = 0;
  double gflops = 0;
};

// Reads /proc/cpuinfo (and cpufreq's cpuinfo_max_freq when present) under `root` ("/" normally).
Result<CpuPeak> EstimateCpuPeak(int cores, const std::string& root = "/");

}  // namespace lepton::checks
