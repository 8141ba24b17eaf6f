#include "bench/workloads/system/cpu_gemm_probe_workload.h"

#include <cblas.h>
#include <dnnl.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "conformance/checks/cpu_peak.h"

namespace lepton::bench {
namespace {

std::string OneDnnIsaName(dnnl_cpu_isa_t isa) {
  switch (isa) {
    case dnnl_cpu_isa_sse41:
      return "sse41";
    case dnnl_cpu_isa_avx:
      return "avx";
    case dnnl_cpu_isa_avx2:
      return "avx2";
    case dnnl_cpu_isa_avx2_vnni:
      return "avx2_vnni";
    case dnnl_cpu_isa_avx512_core:
      return "avx512_core";
    case dnnl_cpu_isa_avx512_core_vnni:
      return "avx512_core_vnni";
    case dnnl_cpu_isa_avx512_core_bf16:
      return "avx512_core_bf16";
    case dnnl_cpu_isa_avx512_core_amx:
      return "avx512_core_amx";
    default:
      return "other (" + std::to_string(static_cast<int>(isa)) + ")";
  }
}

class CpuGemmProbeWorkload final : public Workload {
 public:
  Status Prepare(const WorkloadContext& context) override {
    if (context.system == nullptr)
      return InternalError("cpu_gemm_probe needs the system description");
    LEPTON_ASSIGN_OR_RETURN(size_, GetParam<std::int64_t>(context.params, "size"));
    const auto elements = static_cast<std::size_t>(size_ * size_);
    a_.assign(elements, 0.5F);
    b_.assign(elements, 0.25F);
    c_.assign(elements, 0.0F);
    openblas_core_ = context.system->blas.core;
    auto peak = checks::EstimateCpuPeak(context.system->cpu_cores);
    if (!peak) peak_reason_ = peak.error().message();
    peak_ = peak ? std::optional<checks::CpuPeak>(*peak) : std::nullopt;
    return OkStatus();
  }

  [[nodiscard]] std::vector<std::string> StepNames() const override {
    return {"openblas_sgemm", "onednn_sgemm"};
  }

  // Untimed pause between the libraries: OpenBLAS's threads spin for a while after a call (and
  // libgomp's after oneDNN's) and would otherwise slow the next library's call.
  Status AfterStep(std::size_t /*step*/) override {
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    return OkStatus();
  }
  Status BeginRun(int /*run_index*/) override { return OkStatus(); }

  Status RunStep(std::size_t step) override {
    const int n = static_cast<int>(size_);
    if (step == 0) {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0F, a_.data(), n, b_.data(),
                  n, 0.0F, c_.data(), n);
      return OkStatus();
    }
    const dnnl_status_t status =
        dnnl_sgemm('N', 'N', n, n, n, 1.0F, a_.data(), n, b_.data(), n, 0.0F, c_.data(), n);
    if (status != dnnl_success)
      return InternalError("dnnl_sgemm failed: " + std::to_string(status));
    return OkStatus();
  }

  Result<Metrics> FinishRun(std::span<const double> step_seconds) override {
    // Every element of C is size * 0.5 * 0.25: a wrong GEMM is an error, not a fast one.
    const float expected = static_cast<float>(size_) * 0.125F;
    if (std::any_of(c_.begin(), c_.end(), [&](float v) { return v != expected; })) {
      return std::unexpected(InternalError("sgemm returned a wrong product"));
    }
    Metrics metrics;
    const double flops =
        2.0 * static_cast<double>(size_) * static_cast<double>(size_) * static_cast<double>(size_);
    const double openblas = flops / step_seconds[0] / 1e9;
    const double onednn = flops / step_seconds[1] / 1e9;
    metrics.values["openblas_sgemm_gflops"] = openblas;
    metrics.values["onednn_sgemm_gflops"] = onednn;
    metrics.values["openblas_vs_onednn"] = openblas / onednn;
    metrics.values["openblas_core"] = openblas_core_;
    metrics.values["onednn_isa"] = OneDnnIsaName(dnnl_get_effective_cpu_isa());
    if (peak_) {
      metrics.values["cpu_peak_sgemm_gflops"] = peak_->gflops;
      metrics.values["openblas_fraction_of_peak"] = openblas / peak_->gflops;
      metrics.values["onednn_fraction_of_peak"] = onednn / peak_->gflops;
      metrics.values["cpu_vector_isa"] = std::string(checks::VectorIsaName(peak_->isa));
      const std::string advice = checks::OpenBlasAdvice(openblas_core_, peak_->isa);
      metrics.values["openblas_advice"] = advice.empty() ? "none needed" : advice;
      // The misconfiguration itself, read off the library rather than timed: a 2-core VM's
      // noise moves the GEMM rates by 2x, the kernel family OpenBLAS picked does not move.
      if (const auto kernels = checks::OpenBlasCoreIsa(openblas_core_)) {
        metrics.values["openblas_kernels_match_cpu"] = *kernels >= peak_->isa;
      } else {
        metrics.not_measured["openblas_kernels_match_cpu"] =
            "OpenBLAS core '" + openblas_core_ +
            "' is not in the table of kernel ISAs (conformance/checks/cpu_peak.cc)";
      }
      metrics.values["peak_basis"] =
          std::to_string(peak_->cores) + " cores x " + std::to_string(peak_->ghz) + " GHz (" +
          peak_->frequency_source + ") x " + std::to_string(peak_->flops_per_cycle) +
          " fp32 FLOP/cycle (" + std::string(checks::VectorIsaName(peak_->isa)) +
          ", two vector pipes)";
    } else {
      for (const char* name :
           {"cpu_peak_sgemm_gflops", "openblas_fraction_of_peak", "onednn_fraction_of_peak",
            "cpu_vector_isa", "openblas_advice", "openblas_kernels_match_cpu", "peak_basis"}) {
        metrics.not_measured[name] = peak_reason_;
      }
    }
    return metrics;
  }

 private:
  std::int64_t size_ = 1024;
  std::vector<float> a_;
  std::vector<float> b_;
  std::vector<float> c_;
  std::string openblas_core_;
  std::optional<checks::CpuPeak> peak_;
  std::string peak_reason_;
};

}  // namespace

std::unique_ptr<Workload> MakeCpuGemmProbeWorkload() {
  return std::make_unique<CpuGemmProbeWorkload>();
}

}  // namespace lepton::bench
