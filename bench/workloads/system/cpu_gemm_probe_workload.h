#pragma once
// Measures fp32 GEMM on the CPU through OpenBLAS (CBLAS) and oneDNN (dnnl_sgemm), each call a
// step timed by the runner, and compares both with the CPU's theoretical peak. Reports the
// kernels each library picked and, when OpenBLAS's are older than the CPU, how to fix it.

#include <memory>

#include "bench/api/workload.h"

namespace lepton::bench {

std::unique_ptr<Workload> MakeCpuGemmProbeWorkload();

}  // namespace lepton::bench
