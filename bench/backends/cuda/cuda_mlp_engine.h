#pragma once
// The reference MLP on one CUDA GPU: parameters, Adam state and the training set live in device
// memory; one training step (gather, five cuBLAS GEMMs, fused bias + ReLU, softmax
// cross-entropy with its gradient, bias sums, Adam over all parameters in one launch) is
// captured once in a CUDA graph and replayed for every batch. The host uploads only each epoch's
// item order (computed by the workload, so CPU and GPU see the same batches) and reads back one
// loss per batch at the end of the epoch.
//
// Every wait is bounded (LEPTON_DEVICE_TIMEOUT_S, the module's DeviceWatch): a hung GPU fails the
// call with DeviceStatus::hung, every later call on that GPU is refused at once, and the engine
// then leaks what it holds rather than block in cudaFree or cublasDestroy.
//
// C++20 without CUDA types, so host code compiled as C++23 (cuda_mlp_model.cc) wraps it into the
// project's MlpModel; errors come back as DeviceStatus, never as exceptions.

#include <cstdint>
#include <memory>
#include <string>

#include "bench/backends/cuda/device_status.h"
#include "bench/backends/cuda/device_watch.h"
#include "bench/backends/cuda/mlp_step.h"

namespace lepton::bench::cuda {

struct MlpEngineOptions {
  MlpDims dims{};
  int max_batch = 1;
  bool tf32 = false;  // cuBLAS TF32 tensor-op math for the GEMMs; fp32 otherwise
  int device = -1;    // the CUDA device (among those the process sees); -1: the current one
};

class MlpEngine {
 public:
  // On options.device, or on the calling thread's current CUDA device (the first one
  // CUDA_VISIBLE_DEVICES leaves, unless the thread selected another). `watch` outlives it.
  static DeviceStatus Create(const MlpEngineOptions& options, DeviceWatch& watch,
                             std::unique_ptr<MlpEngine>& engine);
  MlpEngine(const MlpEngine&) = delete;
  MlpEngine& operator=(const MlpEngine&) = delete;
  ~MlpEngine();  // releases nothing once its GPU hung

  // "cuda:0 NVIDIA H100 80GB HBM3 (sm_90, 132 SMs), cuBLAS 130000, fp32 GEMMs".
  [[nodiscard]] std::string description() const;

  // Sets [W1 | b1 | W2 | b2] and resets Adam's moments and step.
  DeviceStatus SetParameters(const float* params, std::int64_t count);
  DeviceStatus GetParameters(float* params, std::int64_t count);
  DeviceStatus SetTrainingSet(const std::uint8_t* pixels, const std::uint8_t* labels,
                              std::int64_t items);
  // One epoch over the training set in `order` (items entries); mean_loss as MlpModel states.
  DeviceStatus TrainEpoch(const std::int32_t* order, std::int64_t items, int batch_size,
                          const AdamScalars& adam, double& mean_loss);
  // Data-parallel training (MlpModel::BeginSplitEpoch, ComputeSliceGradients, WaitForGradients,
  // gradients, ApplyAdam): each rank's slice gradient is one CUDA graph per (first, rows, global
  // rows, batch), launched without waiting; WaitForGradients is the step's one bounded stream
  // synchronisation; Adam is another graph, launched without waiting.
  DeviceStatus BeginSplitEpoch(const std::int32_t* order, std::int64_t items, int batch_size);
  DeviceStatus ComputeSliceGradients(int first, int rows);
  DeviceStatus WaitForGradients();
  [[nodiscard]] float* gradients() const;
  DeviceStatus ApplyAdam(const AdamScalars& adam);
  DeviceStatus Forward(const float* x, int batch, float* logits);
  // Device-resident inference (MlpModel::SetResidentInputs, ForwardResident).
  DeviceStatus SetResidentInputs(const float* x, std::int64_t rows);
  DeviceStatus ForwardResident(int first, int batch);
  // CUDA cores x boost clock x 2 FLOP/s; 0 with `why` set when the architecture's cores per SM
  // are not in the table.
  [[nodiscard]] double PeakFp32Flops(std::string& why) const;

 private:
  struct Impl;
  explicit MlpEngine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// CUDA devices the runtime sees; unavailable with the runtime's reason when there are none.
DeviceStatus CountCudaDevices(int& count);

}  // namespace lepton::bench::cuda
