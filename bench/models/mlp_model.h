#pragma once
// The reference MLP as one device runs it, so the MNIST workloads hold the workload logic once
// (epochs, shuffles, evaluation, metrics, ONNX export) and a device supplies only the arithmetic:
// the CPU (oneDNN, bench/backends/cpu/) or a CUDA GPU (cuBLAS and fused kernels in a CUDA graph,
// bench/backends/cuda/); MakeMlpModel (bench/backends/model_factories.h) picks one. Every model
// starts from the same seeded parameters (InitialMlpParameters, mlp_parameters.h) and trains on
// batches in the order the caller gives, so devices differ only by their float32 arithmetic.
//
// Parameters are one buffer [W1 | b1 | W2 | b2], W row-major (inputs x hidden, hidden x outputs).

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bench/models/mlp_definition.h"
#include "bench/models/mlp_parameters.h"
#include "conformance/core/status.h"

namespace lepton::bench {

// The arithmetic of the GEMMs. fp32 everywhere; tf32 (10-bit mantissa inputs, fp32
// accumulation) only on CUDA tensor cores and only where the spec's precision parameter says so.
enum class MlpPrecision { kFp32, kTf32 };
Result<MlpPrecision> ParseMlpPrecision(std::string_view name);

struct MlpModelOptions {
  std::string device = "cpu";  // cpu | cuda
  MlpShape shape;
  int max_batch = 1;  // the most rows one Forward or training batch holds
  MlpPrecision precision = MlpPrecision::kFp32;
  // cuda only: the device, an index among those the process sees (a data-parallel rank's own
  // GPU, DeviceMemory::device_index()); -1 for the process's current device.
  int cuda_device = -1;
};

class MlpModel {
 public:
  virtual ~MlpModel() = default;

  [[nodiscard]] virtual const MlpShape& shape() const = 0;
  // What ran the arithmetic, for the report: "cpu (oneDNN ...)", "cuda:0 (NVIDIA H100 ...)".
  [[nodiscard]] virtual std::string description() const = 0;

  // Sets the parameters to InitialMlpParameters(shape, seed) and resets Adam.
  virtual Status Initialize(std::uint64_t seed) = 0;

  // Untimed, once: the training images (count x inputs bytes, scaled to [0, 1] as batches are
  // gathered) and their labels. A GPU keeps them in device memory for every epoch.
  virtual Status SetTrainingSet(std::span<const std::uint8_t> pixels,
                                std::span<const std::uint8_t> labels) = 0;

  // One epoch of Adam steps: batches of `batch_size` training items taken from `order` in turn
  // (the last one short when the count is not a multiple). Returns the mean over all samples of
  // each batch's mean cross-entropy before its update. Returns after the device has finished.
  virtual Result<double> TrainEpoch(std::span<const std::int32_t> order, int batch_size,
                                    const AdamSettings& adam) = 0;

  // Data-parallel training, one rank's part of each step of a global batch split over ranks
  // (data_parallel_mlp_workload.h); the caller sums gradients() over the ranks between
  // WaitForGradients and ApplyAdam. Every rank gives the same epoch order, so the ranks'
  // slices together are the single-rank run's batches.
  //
  // The epoch's item order (every training item once) in batches of `batch_size` global rows,
  // taken in turn by the ComputeSliceGradients calls that follow.
  virtual Status BeginSplitEpoch(std::span<const std::int32_t> order, int batch_size) = 0;
  // The next global batch of the epoch (`global` rows: batch_size, or what is left at the
  // epoch's end): this rank's rows [first, first + rows) of it, 0 <= rows <= max_batch. Leaves in
  // gradients() the gradient of these rows' mean loss times rows / global (zeros when rows is
  // 0), so the sum over ranks is the gradient of the global batch's mean loss; with first 0 and
  // rows = global it is the single-rank step's gradient exactly. On CUDA it is enqueued, not
  // waited for, so that one thread can start every local GPU's slice before it waits for any
  // (split_training.h); the CPU computes it before returning.
  virtual Status ComputeSliceGradients(int first, int rows) = 0;
  // Returns once gradients() holds the last ComputeSliceGradients' result in memory, so that a
  // communicator on another stream (NCCL) may read it: on CUDA one bounded wait for the model's
  // stream (LEPTON_DEVICE_TIMEOUT_S; its errors still name ComputeSliceGradients, the work
  // waited for); on the CPU, which computed it already, it returns at once.
  virtual Status WaitForGradients() = 0;
  // The gradient buffer [W1 | b1 | W2 | b2] (MlpLayout(shape()).count floats) in the device's
  // memory: host memory on the CPU, the GPU's memory on CUDA (hand it only to a communicator
  // over that memory, e.g. NCCL on that GPU). All-reduce it in place after WaitForGradients,
  // before ApplyAdam.
  [[nodiscard]] virtual float* gradients() = 0;
  // One Adam step from gradients(), as TrainEpoch's steps take it. On CUDA it is enqueued, not
  // waited for; the next call on the model is ordered after it.
  virtual Status ApplyAdam(const AdamSettings& adam) = 0;

  // Logits (batch x outputs, host memory) for `batch` <= max_batch rows of x (host memory).
  virtual Status Forward(const float* x, int batch, float* logits) = 0;

  // A host copy of [W1 | b1 | W2 | b2].
  virtual Result<std::vector<float>> Parameters() = 0;

  // Inference on inputs already in the device's memory, to measure the device rather than the
  // transfers: `x` (rows x inputs) is placed once, untimed; ForwardResident then computes the
  // logits of rows [first, first + batch) and leaves them on the device. On the CPU the host's
  // memory is the device's, so it is Forward on those rows.
  virtual Status SetResidentInputs(std::span<const float> x) = 0;
  virtual Status ForwardResident(int first, int batch) = 0;

  // The device's fp32 peak in FLOP/s (GPU: CUDA cores x boost clock x 2), the denominator of
  // the inference roofline fraction; Unavailable, saying why, where there is no such figure.
  [[nodiscard]] virtual Result<double> PeakFp32Flops() const = 0;
};

}  // namespace lepton::bench
