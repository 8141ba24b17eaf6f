#include "bench/workloads/system/system_probe_workload.h"

namespace lepton::bench {
namespace {

class SystemProbeWorkload final : public Workload {
 public:
  Status Prepare(const WorkloadContext& context) override {
    if (context.system == nullptr)
      return InternalError("system_probe needs the system description");
    system_ = context.system;
    return OkStatus();
  }
  [[nodiscard]] std::vector<std::string> StepNames() const override { return {}; }
  Status BeginRun(int /*run_index*/) override { return OkStatus(); }
  Status RunStep(std::size_t /*step*/) override {
    return InternalError("system_probe has no timed steps");
  }

  Result<Metrics> FinishRun(std::span<const double> /*step_seconds*/) override {
    Metrics metrics;
    const checks::SystemDescription& system = *system_;
    if (system.cpu_cores > 0) {
      metrics.values["cpu_cores"] = static_cast<double>(system.cpu_cores);
    } else {
      metrics.not_measured["cpu_cores"] = system.unknown.at("cpu_cores");
    }
    if (system.memory_gib) {
      metrics.values["memory_gib"] = *system.memory_gib;
    } else {
      metrics.not_measured["memory_gib"] = system.unknown.at("memory_gib");
    }
    metrics.values["lapack_version"] = system.blas.lapack_version;
    metrics.values["blas_sgemm_available"] = system.blas.sgemm_exact;
    metrics.values["gpu_count"] = static_cast<double>(system.gpus.count);
    if (!system.gpus.driver_version.empty()) {
      metrics.values["cuda_driver_version"] = system.gpus.driver_version;
    } else {
      metrics.not_measured["cuda_driver_version"] = system.gpus.unavailable_reason;
    }
    return metrics;
  }

 private:
  const checks::SystemDescription* system_ = nullptr;
};

}  // namespace

std::unique_ptr<Workload> MakeSystemProbeWorkload() {
  return std::make_unique<SystemProbeWorkload>();
}

}  // namespace lepton::bench
