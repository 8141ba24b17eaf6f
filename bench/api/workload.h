#pragma once
// What a reference workload implements. The runner owns the clock: it times RunStep() and
// nothing else, so preparation, resets and evaluation never count (as MLPerf's loadgen keeps
// the system under test away from its timer).

#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bench/api/communicator.h"
#include "bench/api/communicator_group.h"
#include "bench/api/device_memory.h"
#include "bench/api/measurement.h"
#include "conformance/checks/system_probe.h"
#include "conformance/core/status.h"

namespace lepton::bench {

struct WorkloadContext {
  std::map<std::string, spec::ParamValue> params;     // validated against the type's schema
  std::string device = "cpu";                         // cpu | cuda
  std::filesystem::path data_root;                    // files named by params resolve inside it
  const checks::SystemDescription* system = nullptr;  // probed once per run by the caller
  // The metrics some requirement reads. A workload may skip a costly metric outside this set
  // (and then reports it as not measured, saying so); cheap ones are always produced.
  std::set<std::string> requested_metrics;
  // Directories the user named for datasets (`--data`), by dataset name.
  std::map<std::string, std::filesystem::path> dataset_dirs;
  // The ranks of this run (the self communicator when started alone); never null from the
  // runner. Only workloads that use every rank (UsesAllRanks) call it.
  Communicator* communicator = nullptr;
  // On devices: cuda under a profile with comm: nccl: NCCL over the same ranks (device buffers
  // only) and this rank's device memory; null otherwise, and then device_status says why when
  // they were asked for and could not be made (the CUDA module, the driver or NCCL's reason).
  Communicator* device_communicator = nullptr;
  DeviceMemory* device_memory = nullptr;
  Status device_status;
  // On devices: cuda under a profile with comm: nccl-local: NCCL's single-process group over
  // the local GPUs (one rank per GPU, this process alone), instead of device_communicator and
  // device_memory; null otherwise (device_status says why when it could not be made).
  CommunicatorGroup* device_group = nullptr;
};

class Workload {
 public:
  virtual ~Workload() = default;

  // Untimed, once per workload: load or generate data, allocate.
  virtual Status Prepare(const WorkloadContext& context) = 0;
  // The timed steps of one run, in order.
  [[nodiscard]] virtual std::vector<std::string> StepNames() const = 0;
  // Untimed, before each run (warm-up or timed): reset model state to its seeded start.
  virtual Status BeginRun(int run_index) = 0;
  // Timed by the runner.
  virtual Status RunStep(std::size_t step) = 0;
  // Untimed, after each step: evaluate what the step produced (e.g. test accuracy per epoch).
  virtual Status AfterStep(std::size_t /*step*/) { return OkStatus(); }
  // Untimed: evaluate the run; step_seconds[i] is the runner's time for step i.
  virtual Result<Metrics> FinishRun(std::span<const double> step_seconds) = 0;
  // The samples one run's timed steps process (training samples x epochs, images inferred), so
  // the runner can state energy per sample; nullopt when the type has no such unit.
  [[nodiscard]] virtual std::optional<double> SamplesPerRun() const { return std::nullopt; }
  // True when every rank of a multi-rank run takes part (collectives, data-parallel work) and
  // the workload combines the ranks' measurements itself, so rank 0's metrics are the run's.
  // Other workloads run on rank 0 alone (bench/runner/runner.h).
  [[nodiscard]] virtual bool UsesAllRanks() const { return false; }
};

// Unavailable when the type has no implementation for `device` in this build.
Result<std::unique_ptr<Workload>> CreateWorkload(std::string_view type, std::string_view device);
// Every type CreateWorkload knows, whatever the device: the spec's catalogue of workload types
// (conformance/spec/workload_types.h) must name the same set.
std::vector<std::string_view> ImplementedWorkloadTypes();

// Typed access to validated parameters; a missing or mistyped one is an Internal error because
// the spec loader has already checked them against the schema.
template <typename T>
Result<T> GetParam(const std::map<std::string, spec::ParamValue>& params, const std::string& path) {
  auto it = params.find(path);
  if (it == params.end()) return std::unexpected(InternalError("missing parameter " + path));
  if (const T* value = std::get_if<T>(&it->second)) return *value;
  return std::unexpected(InternalError("parameter " + path + " has an unexpected type"));
}

}  // namespace lepton::bench
