#include "bench/workloads/system/system_probe_workload.h"

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "conformance/core/version.h"

namespace lepton::bench {
namespace {

// The weakest device's figures: a requirement on a node holds only if every GPU meets it. A
// figure some device would not give is not measured, with the driver's reasons.
void AddGpuMinimums(const checks::GpuProbe& gpus, Metrics& metrics) {
  if (gpus.devices.empty()) {
    const std::string reason =
        "no CUDA device: " +
        (gpus.unavailable_reason.empty() ? std::string("none visible") : gpus.unavailable_reason);
    for (const char* name :
         {"gpu_min_compute_capability", "gpu_min_memory_gib", "gpu_min_multiprocessors"}) {
      metrics.not_measured[name] = reason;
    }
    return;
  }
  const auto unknown_reason = [&](const char* field) -> std::optional<std::string> {
    for (const checks::GpuDevice& device : gpus.devices) {
      if (auto found = device.unknown.find(field); found != device.unknown.end()) {
        return "device " + std::to_string(device.ordinal) + ": " + found->second;
      }
    }
    return std::nullopt;
  };
  const checks::GpuDevice* weakest = &gpus.devices.front();
  double memory = weakest->memory_gib;
  int multiprocessors = weakest->multiprocessors;
  for (const checks::GpuDevice& device : gpus.devices) {
    const auto mine = Version::Parse(device.compute_capability);
    const auto least = Version::Parse(weakest->compute_capability);
    if (mine && (!least || *mine < *least)) weakest = &device;
    memory = std::min(memory, device.memory_gib);
    multiprocessors = std::min(multiprocessors, device.multiprocessors);
  }
  if (auto reason = unknown_reason("compute_capability")) {
    metrics.not_measured["gpu_min_compute_capability"] = *reason;
  } else {
    metrics.values["gpu_min_compute_capability"] = weakest->compute_capability;
  }
  if (auto reason = unknown_reason("memory_gib")) {
    metrics.not_measured["gpu_min_memory_gib"] = *reason;
  } else {
    metrics.values["gpu_min_memory_gib"] = memory;
  }
  if (auto reason = unknown_reason("multiprocessors")) {
    metrics.not_measured["gpu_min_multiprocessors"] = *reason;
  } else {
    metrics.values["gpu_min_multiprocessors"] = static_cast<double>(multiprocessors);
  }
}

// NVML's facts over the GPUs CUDA sees (those the run uses): persistence mode on every one, MIG
// enabled on any, the lowest enforced power limit. Not measured, with the reason, without a
// CUDA device or NVML, when a CUDA device has no NVML device at its PCI address, or when NVML
// would not give the fact for one of them.
void AddNvmlFacts(const checks::GpuProbe& gpus, Metrics& metrics) {
  constexpr std::array<const char*, 3> kNames = {"gpu_persistence_mode", "gpu_mig_enabled",
                                                 "gpu_min_power_limit_w"};
  const auto none = [&](const std::string& reason) {
    for (const char* name : kNames) metrics.not_measured[name] = reason;
  };
  if (gpus.devices.empty()) {
    return none("no CUDA device: " + (gpus.unavailable_reason.empty() ? std::string("none visible")
                                                                      : gpus.unavailable_reason));
  }
  if (!gpus.nvml.unavailable_reason.empty()) {
    return none("NVML unavailable: " + gpus.nvml.unavailable_reason);
  }
  std::vector<const checks::NvmlDevice*> used;
  for (const checks::GpuDevice& cuda : gpus.devices) {
    const auto found = std::ranges::find(gpus.nvml.devices, std::optional<int>(cuda.ordinal),
                                         &checks::NvmlDevice::cuda_ordinal);
    if (found == gpus.nvml.devices.end()) {
      return none("CUDA device " + std::to_string(cuda.ordinal) +
                  " has no NVML device at its PCI address (" + cuda.pci_bus_id + ")");
    }
    used.push_back(&*found);
  }
  const auto reason = [](const checks::NvmlDevice& device, const char* field) {
    const auto found = device.unknown.find(field);
    return "CUDA device " + std::to_string(*device.cuda_ordinal) + ": " +
           (found == device.unknown.end() ? std::string("not read") : found->second);
  };
  bool persistent = true;
  bool mig = false;
  double power = 0;
  std::optional<std::string> persistence_unknown;
  std::optional<std::string> mig_unknown;
  std::optional<std::string> power_unknown;
  for (const checks::NvmlDevice* device : used) {
    if (!device->persistence_mode) {
      if (!persistence_unknown) persistence_unknown = reason(*device, "persistence_mode");
    } else {
      persistent = persistent && *device->persistence_mode;
    }
    if (device->mig_mode.empty()) {
      if (!mig_unknown) mig_unknown = reason(*device, "mig_mode");
    } else {
      mig = mig || device->mig_mode == "enabled";
    }
    if (!device->power_limit_enforced_w) {
      if (!power_unknown) power_unknown = reason(*device, "power_limit_enforced_w");
    } else {
      power = device == used.front() ? *device->power_limit_enforced_w
                                     : std::min(power, *device->power_limit_enforced_w);
    }
  }
  if (persistence_unknown) {
    metrics.not_measured["gpu_persistence_mode"] = *persistence_unknown;
  } else {
    metrics.values["gpu_persistence_mode"] = persistent;
  }
  if (mig_unknown) {
    metrics.not_measured["gpu_mig_enabled"] = *mig_unknown;
  } else {
    metrics.values["gpu_mig_enabled"] = mig;
  }
  if (power_unknown) {
    metrics.not_measured["gpu_min_power_limit_w"] = *power_unknown;
  } else {
    metrics.values["gpu_min_power_limit_w"] = power;
  }
}

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
    for (const auto& [name, library] :
         {std::pair{"cuda_runtime_version", &system.cuda_libraries.runtime},
          std::pair{"nccl_version", &system.cuda_libraries.nccl}}) {
      if (library->version.empty()) {
        metrics.not_measured[name] = library->unavailable_reason;
      } else {
        metrics.values[name] = library->version;
      }
    }
    AddGpuMinimums(system.gpus, metrics);
    AddNvmlFacts(system.gpus, metrics);
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
