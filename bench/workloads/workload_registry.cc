#include <array>
#include <string_view>
#include <vector>

#include "bench/api/workload.h"
#include "bench/workloads/collectives/collectives_workload.h"
#include "bench/workloads/linear_regression/data_parallel_regression_workload.h"
#include "bench/workloads/linear_regression/linear_regression_workload.h"
#include "bench/workloads/mnist_mlp/data_parallel_mlp_workload.h"
#include "bench/workloads/mnist_mlp/mnist_mlp_inference_workload.h"
#include "bench/workloads/mnist_mlp/mnist_mlp_workload.h"
#include "bench/workloads/onnx_conformance/onnx_node_tests_workload.h"
#include "bench/workloads/system/cpu_gemm_probe_workload.h"
#include "bench/workloads/system/system_probe_workload.h"

namespace lepton::bench {
namespace {

// Which devices a type runs on in this build.
enum class Devices {
  kAny,        // host-only workloads (probes, the ONNX executor) run whatever the profile's device
  kCpu,        // a CPU implementation only
  kCpuOrCuda,  // the device's arithmetic comes from the CUDA backend module; without it or a
               // GPU, Prepare reports Unavailable with the reason
};

struct Implementation {
  std::string_view type;
  std::unique_ptr<Workload> (*make)();
  Devices devices;
};

constexpr std::array<Implementation, 9> kImplementations = {{
    {"system_probe", MakeSystemProbeWorkload, Devices::kAny},
    {"cpu_gemm_probe", MakeCpuGemmProbeWorkload, Devices::kAny},
    {"onnx_node_tests", MakeOnnxNodeTestsWorkload, Devices::kAny},
    {"linear_regression", MakeLinearRegressionWorkload, Devices::kCpuOrCuda},
    {"mnist_mlp_train", MakeMnistMlpWorkload, Devices::kCpuOrCuda},
    {"mnist_mlp_infer", MakeMnistMlpInferenceWorkload, Devices::kCpuOrCuda},
    // On cpu through MPI (or alone); on cuda through NCCL on device buffers, which the runner
    // supplies for a profile with comm: nccl (else Prepare says it is unavailable, and why).
    {"collectives", MakeCollectivesWorkload, Devices::kCpuOrCuda},
    {"linear_regression_data_parallel", MakeDataParallelRegressionWorkload, Devices::kCpu},
    // On cpu over the run's communicator (MPI or self) on host memory; on cuda over NCCL on
    // each rank's GPU, which the runner supplies for a profile with comm: nccl (else Prepare
    // says it is unavailable, and why).
    {"mnist_mlp_data_parallel", MakeDataParallelMlpWorkload, Devices::kCpuOrCuda},
}};

bool Runs(Devices devices, std::string_view device) {
  switch (devices) {
    case Devices::kAny:
      return true;
    case Devices::kCpu:
      return device == "cpu";
    case Devices::kCpuOrCuda:
      return device == "cpu" || device == "cuda";
  }
  return false;
}

}  // namespace

std::vector<std::string_view> ImplementedWorkloadTypes() {
  std::vector<std::string_view> types;
  for (const Implementation& implementation : kImplementations) {
    types.push_back(implementation.type);
  }
  return types;
}

Result<std::unique_ptr<Workload>> CreateWorkload(std::string_view type, std::string_view device) {
  for (const Implementation& implementation : kImplementations) {
    if (implementation.type != type) continue;
    if (Runs(implementation.devices, device)) return implementation.make();
    return std::unexpected(UnavailableError(std::string(type) +
                                            " has no implementation for device '" +
                                            std::string(device) + "' in this build"));
  }
  return std::unexpected(
      UnavailableError("workload type '" + std::string(type) + "' is not implemented"));
}

}  // namespace lepton::bench
