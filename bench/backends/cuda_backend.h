#pragma once
// The CUDA compute backend is a module loaded at run time (liblepton_cuda.so, built from
// bench/backends/cuda/ when nvcc is found), so lepton-cert itself needs no CUDA library to start:
// a CPU-only machine, or a GPU node without cuBLAS, runs every CPU workload and reports the GPU
// ones as not measured with the loader's reason. The module links the CUDA runtime statically
// and cuBLAS from the node.

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "bench/workloads/linear_regression/solvers.h"
#include "bench/workloads/mnist_mlp/mlp_model.h"
#include "conformance/core/status.h"

namespace lepton::bench {

// Raised whenever this interface or a type it passes changes layout: a module from another
// build is refused instead of misread.
inline constexpr int kCudaBackendAbiVersion = 2;

// The linear-regression solvers' device half (solvers.h): the training rows kept on the GPU,
// the augmented Gram matrix (the host solves the small normal equations), and mini-batch SGD.
class DeviceRegression {
 public:
  virtual ~DeviceRegression() = default;
  [[nodiscard]] virtual std::string description() const = 0;
  // Untimed: row-major training rows [x, 1, y] of width `stride`.
  virtual Status SetRows(std::span<const double> rows, int stride) = 0;
  // stride x stride, the row-major upper triangle filled, as AugmentedGram in solvers.h.
  virtual Result<std::vector<double>> AugmentedGram() = 0;
  // SgdSolver's algorithm and block order; FailedPrecondition when it diverges.
  virtual Result<SgdResult> Sgd(const SgdSettings& settings) = 0;
};

class CudaBackend {
 public:
  virtual ~CudaBackend() = default;
  // The reference MLP on the current CUDA device; Unavailable without a device or driver.
  virtual Result<std::unique_ptr<MlpModel>> MakeMlp(const MlpModelOptions& options) = 0;
  virtual Result<std::unique_ptr<DeviceRegression>> MakeRegression() = 0;
};

// The module's one exported function: returns its backend (owned by the module, alive until
// the process ends), or null when `abi_version` is not its own.
using CudaBackendEntryPoint = CudaBackend* (*)(int abi_version);
inline constexpr const char* kCudaBackendEntryPointName = "lepton_cuda_backend";

// Loads the module once per process: next to the program (../lib/liblepton_cuda.so, as in the
// build tree and the bundle), else where this build wrote it. Unavailable, naming each path
// tried and the loader's reason, when this build has no CUDA code or the module cannot load.
Result<CudaBackend*> LoadCudaBackend();

}  // namespace lepton::bench
