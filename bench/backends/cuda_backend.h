#pragma once
// The CUDA compute backend is a module loaded at run time (liblepton_cuda.so, built from
// bench/backends/cuda/ when nvcc is found), so lepton-cert itself needs no CUDA library to start:
// a CPU-only machine, or a GPU node without cuBLAS, runs every CPU workload and reports the GPU
// ones as not measured with the loader's reason. The module links the CUDA runtime statically
// and cuBLAS from the node; it opens the node's NCCL (libnccl.so.2) with dlopen when a
// communicator is first asked for, so a node without NCCL still runs the one-GPU workloads.

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "bench/api/communicator.h"
#include "bench/api/communicator_group.h"
#include "bench/api/device_memory.h"
#include "bench/models/mlp_model.h"
#include "bench/models/regression_solvers.h"
#include "conformance/core/status.h"

namespace lepton::bench {

// Raised whenever this interface or a type it passes changes layout: a module from another
// build is refused instead of misread. 4: Communicator gained SetAsynchronous, asynchronous and
// Synchronize (its vtable crosses the boundary). 6: MakeNcclLocalGroup (CommunicatorGroup),
// MlpModel's split training step for data parallelism, MlpModelOptions::cuda_device and
// DeviceMemory::device_index (5 was each of these alone on its branch). 7: HungDevices. 8:
// MlpModel::WaitForGradients (ComputeSliceGradients only launches on CUDA).
inline constexpr int kCudaBackendAbiVersion = 8;

// The linear-regression solvers' device half (bench/models/regression_solvers.h): the training
// rows kept on the GPU, the augmented Gram matrix (the host solves the small normal equations,
// model_factories.cc), and mini-batch SGD.
class DeviceRegression {
 public:
  virtual ~DeviceRegression() = default;
  [[nodiscard]] virtual std::string description() const = 0;
  // Untimed: row-major training rows [x, 1, y] of width `stride`.
  virtual Status SetRows(std::span<const double> rows, int stride) = 0;
  // stride x stride, the row-major upper triangle filled, as AugmentedGram in cpu/cpu_regression.h.
  virtual Result<std::vector<double>> AugmentedGram() = 0;
  // SgdSolver's algorithm (cpu/cpu_regression.h) and block order (bench/models/block_order.h);
  // FailedPrecondition when it diverges.
  virtual Result<SgdResult> Sgd(const SgdSettings& settings) = 0;
};

class CudaBackend {
 public:
  virtual ~CudaBackend() = default;
  // The reference MLP on the current CUDA device; Unavailable without a device or driver.
  virtual Result<std::unique_ptr<MlpModel>> MakeMlp(const MlpModelOptions& options) = 0;
  virtual Result<std::unique_ptr<DeviceRegression>> MakeRegression() = 0;

  // Version 4: MlpModel's data-parallel split step (BeginSplitEpoch, ComputeSliceGradients,
  // gradients, ApplyAdam), MlpModelOptions::cuda_device and DeviceMemory::device_index; since
  // version 8 the step's wait is WaitForGradients, apart from the launch.
  // Since version 3 (bench/backends/cuda/nccl_communicator.h, cuda_device_memory.h):
  // Memory of CUDA device `device` (an index among those the process sees); Unavailable
  // without a device or when `device` is not one.
  virtual Result<std::unique_ptr<DeviceMemory>> MakeDeviceMemory(int device) = 0;
  // NCCL over the ranks of `bootstrap` (MPI under mpirun/srun, or the one-rank self
  // communicator), this rank on CUDA device `device` (its local rank on its node): rank 0's
  // ncclUniqueId is broadcast over `bootstrap`. Collective over `bootstrap`: every rank calls it,
  // and every rank returns an error when any rank could not take part (no device, no NCCL), so
  // none is left waiting in ncclCommInitRank. Each operation waits at most `timeout_seconds`,
  // then aborts the communicator. Buffers passed to it must be device memory of `device`.
  virtual Result<std::unique_ptr<Communicator>> MakeNcclCommunicator(Communicator& bootstrap,
                                                                     int device,
                                                                     double timeout_seconds) = 0;
  // Since version 5: NCCL's single-process mode over the local GPUs (ncclCommInitAll), one rank
  // per device of `devices` (CUDA ordinals, rank r on devices[r]; every device the process sees
  // when empty), driven from this thread through group calls (bench/api/communicator_group.h).
  // Unavailable without NCCL, a driver or a device. Each wait lasts at most `timeout_seconds`,
  // then aborts every rank.
  virtual Result<std::unique_ptr<CommunicatorGroup>> MakeNcclLocalGroup(std::vector<int> devices,
                                                                        double timeout_seconds) = 0;

  // Since version 7: every wait of the module's MLP, regression and device memory lasts at most
  // LEPTON_DEVICE_TIMEOUT_S (default 600 s), then fails with DeadlineExceeded ("cuda:0:
  // TrainEpoch: the GPU's work has not completed within 600.0 s (LEPTON_DEVICE_TIMEOUT_S); the
  // device is hung"), and every later call on that device is refused at once. The devices that
  // hung so far, one line each ("cuda:0 hung: TrainEpoch did not complete within 600.0 s
  // (LEPTON_DEVICE_TIMEOUT_S)"): their work never ends, so anything that would wait for it
  // (CUDA's teardown at exit, destroying an NCCL communicator) blocks forever, and the host ends
  // the process without teardown once its report is written.
  virtual std::vector<std::string> HungDevices() = 0;
};

// The module's one exported function: returns its backend (owned by the module, alive until
// the process ends), or null when `abi_version` is not its own.
using CudaBackendEntryPoint = CudaBackend* (*)(int abi_version);
inline constexpr const char* kCudaBackendEntryPointName = "lepton_cuda_backend";

// Loads the module once per process: next to the program (../lib/liblepton_cuda.so, as in the
// build tree and the bundle), else where this build wrote it. Unavailable, naming each path
// tried and the loader's reason, when this build has no CUDA code or the module cannot load.
Result<CudaBackend*> LoadCudaBackend();

// The loaded module's HungDevices(); empty when no module was loaded (nothing ran on a GPU), so
// asking never loads one.
std::vector<std::string> HungCudaDevices();

}  // namespace lepton::bench
