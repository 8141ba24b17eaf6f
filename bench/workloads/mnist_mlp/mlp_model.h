#pragma once
// The reference MLP as one device runs it, so the MNIST workloads hold the workload logic once
// (epochs, shuffles, evaluation, metrics, ONNX export) and a device supplies only the arithmetic:
// the CPU (oneDNN, bench/workloads/mnist_mlp/mlp.h) or a CUDA GPU (cuBLAS and fused kernels in
// a CUDA graph, bench/backends/cuda/). Every model starts from the same seeded parameters
// (InitialMlpParameters, mlp_parameters.h) and trains on batches in the order the caller gives, so
// devices differ only by their float32 arithmetic.
//
// Parameters are one buffer [W1 | b1 | W2 | b2], W row-major (inputs x hidden, hidden x outputs).

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bench/workloads/mnist_mlp/mlp.h"
#include "bench/workloads/mnist_mlp/mlp_parameters.h"
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

// Unavailable when the device is not there (no CUDA backend in this build, no GPU, no driver),
// with the reason; InvalidArgument for an unknown device or a precision the device cannot do.
Result<std::unique_ptr<MlpModel>> MakeMlpModel(const MlpModelOptions& options);

}  // namespace lepton::bench
