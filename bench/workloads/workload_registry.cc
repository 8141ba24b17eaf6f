#include <array>

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

struct Implementation {
  std::string_view type;
  std::unique_ptr<Workload> (*make)();
  // Host-only workloads (probes, the ONNX executor) run whatever the profile's device is; the
  // others have only a CPU implementation in this build.
  bool host_only;
};

constexpr std::array<Implementation, 9> kImplementations = {{
    {"system_probe", MakeSystemProbeWorkload, true},
    {"cpu_gemm_probe", MakeCpuGemmProbeWorkload, true},
    {"onnx_node_tests", MakeOnnxNodeTestsWorkload, true},
    {"linear_regression", MakeLinearRegressionWorkload, false},
    {"mnist_mlp_train", MakeMnistMlpWorkload, false},
    {"mnist_mlp_infer", MakeMnistMlpInferenceWorkload, false},
    // On cpu through MPI (or alone); the NCCL backend for cuda is not built yet.
    {"collectives", MakeCollectivesWorkload, false},
    {"linear_regression_data_parallel", MakeDataParallelRegressionWorkload, false},
    {"mnist_mlp_data_parallel", MakeDataParallelMlpWorkload, false},
}};

}  // namespace

Result<std::unique_ptr<Workload>> CreateWorkload(std::string_view type, std::string_view device) {
  for (const Implementation& implementation : kImplementations) {
    if (implementation.type != type) continue;
    if (implementation.host_only || device == "cpu") return implementation.make();
    return std::unexpected(UnavailableError(std::string(type) +
                                            " has no implementation for device '" +
                                            std::string(device) + "' in this build"));
  }
  return std::unexpected(
      UnavailableError("workload type '" + std::string(type) + "' is not implemented"));
}

}  // namespace lepton::bench
