#include "bench/api/workload.h"
#include "bench/workloads/linear_regression/linear_regression_workload.h"
#include "bench/workloads/mnist_mlp/mnist_mlp_inference_workload.h"
#include "bench/workloads/mnist_mlp/mnist_mlp_workload.h"
#include "bench/workloads/onnx_conformance/onnx_node_tests_workload.h"
#include "bench/workloads/system/cpu_gemm_probe_workload.h"
#include "bench/workloads/system/system_probe_workload.h"

namespace lepton::bench {

Result<std::unique_ptr<Workload>> CreateWorkload(std::string_view type, std::string_view device) {
  if (type == "system_probe") return MakeSystemProbeWorkload();
  if (type == "cpu_gemm_probe") return MakeCpuGemmProbeWorkload();
  if (type == "onnx_node_tests") return MakeOnnxNodeTestsWorkload();  // the executor is host code
  if (type == "linear_regression") {
    if (device == "cpu") return MakeLinearRegressionWorkload();
    return std::unexpected(UnavailableError("linear_regression has no implementation for device '" +
                                            std::string(device) + "' in this build"));
  }
  if (type == "mnist_mlp_infer") {
    if (device == "cpu") return MakeMnistMlpInferenceWorkload();
    return std::unexpected(UnavailableError(
        "mnist_mlp_infer has no implementation for device '" + std::string(device) +
        "' in this build"));
  }
  if (type == "mnist_mlp_train") {
    if (device == "cpu") return MakeMnistMlpWorkload();
    return std::unexpected(UnavailableError(
        "mnist_mlp_train has no implementation for device '" + std::string(device) +
        "' in this build"));
  }
  return std::unexpected(
      UnavailableError("workload type '" + std::string(type) + "' is not implemented"));
}

}  // namespace lepton::bench
