// TEST ONLY: a fault-injection stand-in for liblepton_cuda.so (bench/backends/cuda_backend.h).
// CUDA cannot fake a GPU that falls off the bus or a device that runs out of memory, but the
// module boundary can: e2e.device_faults copies lepton-cert into T/bin/ and this module as
// T/lib/liblepton_cuda.so, where the loader looks first. It is never installed and never bundled
// (tools/bundle.sh takes only BUILD/lib/liblepton_cuda.so; this one is written beside its
// CMakeLists in the build tree).
//
// It runs the GPU's own step sequences (mlp_step.h) on the host (host_device.h), so what it
// trains is real arithmetic, but its description() says what it is, and that lands in the
// report's compute_device: a report made with it can never pass for GPU evidence. Injected
// errors are real cudaError_t values classified and worded by the module's own CudaFailure and
// ToStatus (cuda_error.h, cuda_device_status.h), so the harness sees exactly the Status a real
// device gives.
//
// The fault comes from LEPTON_CUDA_STANDIN_FAULT, which only this module reads:
//   none                             a working device
//   lost-after-batches:N:KIND        N training batches succeed, then the device is lost: the
//                                    epoch in progress fails at its synchronization and every
//                                    later call of every object fails (a sticky error); KIND is
//                                    launch-failure (cudaErrorLaunchFailure), ecc-uncorrectable
//                                    (cudaErrorECCUncorrectable) or devices-unavailable
//                                    (cudaErrorDevicesUnavailable)
//   hang-after-batches:N             N training batches succeed, then the device hangs: the
//                                    epoch's wait never sees its work done, so it times out
//                                    after LEPTON_DEVICE_TIMEOUT_S through the module's own
//                                    bounded wait (device_watch.h), every later call is refused
//                                    at once, and the module's teardown at exit blocks forever,
//                                    as CUDA's would on a hung GPU: the host must end the run
//                                    without it
//   out-of-memory                    every device allocation (training set, resident inference
//                                    inputs, DeviceMemory) fails with cudaErrorMemoryAllocation
// Unset, every call is Unavailable naming this stand-in, so a copy that strays into a real
// lib/ measures nothing.

#include <cuda_runtime.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bench/backends/cuda/cuda_device_status.h"
#include "bench/backends/cuda/cuda_error.h"
#include "bench/backends/cuda/device_watch.h"
#include "bench/backends/cuda/host_device.h"
#include "bench/backends/cuda/mlp_step.h"
#include "bench/backends/cuda_backend.h"
#include "bench/models/mlp_parameters.h"

namespace lepton::bench {
namespace {

constexpr const char* kFaultVariable = "LEPTON_CUDA_STANDIN_FAULT";
constexpr const char* kDeviceName = "cuda:0";

struct Fault {
  Status configuration;  // not OK: the variable is unset or malformed, every call says so
  std::string text;      // the variable's value, stated in description()
  std::optional<std::int64_t> lost_after_batches;
  cudaError_t lost_error = cudaSuccess;
  std::optional<std::int64_t> hang_after_batches;
  bool out_of_memory = false;
};

Fault ReadFault() {
  Fault fault;
  const char* value = std::getenv(kFaultVariable);
  if (value == nullptr) {
    fault.configuration = UnavailableError(
        std::string("this liblepton_cuda.so is the test suite's fault-injection stand-in, not "
                    "the CUDA backend: it measures nothing unless a test sets ") +
        kFaultVariable);
    return fault;
  }
  fault.text = value;
  const std::string lost_prefix = "lost-after-batches:";
  const std::string hang_prefix = "hang-after-batches:";
  if (fault.text == "none") return fault;
  if (fault.text == "out-of-memory") {
    fault.out_of_memory = true;
    return fault;
  }
  if (fault.text.starts_with(lost_prefix)) {
    const std::string rest = fault.text.substr(lost_prefix.size());
    const std::size_t colon = rest.find(':');
    char* end = nullptr;
    const std::int64_t batches = std::strtoll(rest.c_str(), &end, 10);
    if (colon != std::string::npos && end == rest.c_str() + colon && batches >= 0) {
      const std::string kind = rest.substr(colon + 1);
      fault.lost_after_batches = batches;
      if (kind == "launch-failure") fault.lost_error = cudaErrorLaunchFailure;
      if (kind == "ecc-uncorrectable") fault.lost_error = cudaErrorECCUncorrectable;
      if (kind == "devices-unavailable") fault.lost_error = cudaErrorDevicesUnavailable;
      if (fault.lost_error != cudaSuccess) return fault;
    }
  }
  if (fault.text.starts_with(hang_prefix)) {
    const std::string rest = fault.text.substr(hang_prefix.size());
    char* end = nullptr;
    const std::int64_t batches = std::strtoll(rest.c_str(), &end, 10);
    if (!rest.empty() && *end == '\0' && batches >= 0) {
      fault.hang_after_batches = batches;
      return fault;
    }
  }
  fault.configuration = InvalidArgumentError(
      std::string(kFaultVariable) + "='" + fault.text +
      "' (expected none, out-of-memory, hang-after-batches:N or lost-after-batches:N:KIND with "
      "KIND launch-failure, ecc-uncorrectable or devices-unavailable)");
  return fault;
}

// The one device every object of the process shares, as a CUDA context is shared.
class StandInDevice {
 public:
  StandInDevice() : fault_(ReadFault()), watch_(cuda::DeviceTimeoutFromEnvironment()) {}
  StandInDevice(const StandInDevice&) = delete;
  StandInDevice& operator=(const StandInDevice&) = delete;

  // CUDA's teardown at exit (the runtime's, the module's) waits for the device's work, and a
  // hung device's never ends. Standing in for that, this blocks forever once the device hung: a
  // host that ends a run whose device hung without skipping teardown never ends
  // (e2e.device_faults runs under `timeout` to catch that).
  ~StandInDevice() {
    while (watch_.hung(0)) std::this_thread::sleep_for(std::chrono::hours(1));
  }

  [[nodiscard]] std::string description() const {
    return std::string(kDeviceName) +
           " fault-injection stand-in for liblepton_cuda.so (host arithmetic, no GPU; test "
           "only, not evidence; " +
           std::string(kFaultVariable) + "=" + fault_.text + ")";
  }

  // OK while the device works; else the error `operation` gets, as the real module words it.
  [[nodiscard]] Status Check(const std::string& operation) const {
    if (!fault_.configuration.ok()) return fault_.configuration;
    LEPTON_RETURN_IF_ERROR(ToStatus(watch_.Check(0, operation)));
    if (lost_.load()) return ToStatus(cuda::CudaFailure(operation, fault_.lost_error));
    return OkStatus();
  }

  // Counts one training batch; false once the device is lost or hangs with it.
  bool Batch() {
    const std::int64_t done = ++batches_;
    if (fault_.lost_after_batches && done > *fault_.lost_after_batches) lost_.store(true);
    if (fault_.hang_after_batches && done > *fault_.hang_after_batches) hanging_.store(true);
    return !lost_.load() && !hanging_.load();
  }

  // The wait that ends a call's device work, through the real module's bounded wait: done at
  // once on a working device, the sticky error on a lost one (from cudaEventQuery, as the
  // module's StreamContext::Synchronize words it), and never done on a hung one, so it times out
  // after LEPTON_DEVICE_TIMEOUT_S and the device is refused from then on, this wait included
  // (the module's engines select their device, which refuses a hung one, before they wait).
  Status Synchronize(const std::string& what) {
    LEPTON_RETURN_IF_ERROR(ToStatus(watch_.Check(0, what)));
    return ToStatus(watch_.Wait(0, what, [&]() -> std::optional<cuda::DeviceStatus> {
      if (hanging_.load()) return std::nullopt;
      if (lost_.load()) return cuda::CudaFailure(what + ": cudaEventQuery", fault_.lost_error);
      return cuda::DeviceStatus{};
    }));
  }

  [[nodiscard]] std::vector<std::string> HungDevices() const { return watch_.HungDevices(); }

  [[nodiscard]] Status Allocation(std::size_t bytes, const std::string& name) const {
    LEPTON_RETURN_IF_ERROR(Check("cudaMalloc of " + std::to_string(bytes) + " bytes for " + name));
    if (fault_.out_of_memory) {
      return ToStatus(
          cuda::CudaFailure("cudaMalloc of " + std::to_string(bytes) + " bytes for " + name,
                            cudaErrorMemoryAllocation));
    }
    return OkStatus();
  }

 private:
  Fault fault_;
  cuda::DeviceWatch watch_;
  std::atomic<std::int64_t> batches_ = 0;
  std::atomic<bool> lost_ = false;
  std::atomic<bool> hanging_ = false;
};

class StandInMlp final : public MlpModel {
 public:
  StandInMlp(StandInDevice& device, const MlpModelOptions& options)
      : device_(device),
        shape_(options.shape),
        dims_{options.shape.inputs, options.shape.hidden, options.shape.outputs},
        max_batch_(options.max_batch) {
    const auto rows = static_cast<std::size_t>(max_batch_);
    params_.assign(static_cast<std::size_t>(dims_.parameters()), 0.0F);
    grads_.assign(params_.size(), 0.0F);
    adam_m_.assign(params_.size(), 0.0F);
    adam_v_.assign(params_.size(), 0.0F);
    x_.resize(rows * static_cast<std::size_t>(dims_.inputs));
    batch_labels_.resize(rows);
    hidden_.resize(rows * static_cast<std::size_t>(dims_.hidden));
    logits_.resize(rows * static_cast<std::size_t>(dims_.outputs));
    dhidden_.resize(hidden_.size());
    row_loss_.resize(rows);
  }

  [[nodiscard]] const MlpShape& shape() const override { return shape_; }
  [[nodiscard]] std::string description() const override {
    return device_.description() + ", fp32 reference GEMMs";
  }

  Status Initialize(std::uint64_t seed) override {
    LEPTON_RETURN_IF_ERROR(OnDevice("SetParameters: cudaMemcpyAsync"));
    params_ = InitialMlpParameters(shape_, seed);
    std::fill(adam_m_.begin(), adam_m_.end(), 0.0F);
    std::fill(adam_v_.begin(), adam_v_.end(), 0.0F);
    state_ = cuda::TrainingState{};
    return OkStatus();
  }

  Status SetTrainingSet(std::span<const std::uint8_t> pixels,
                        std::span<const std::uint8_t> labels) override {
    LEPTON_RETURN_IF_ERROR(OnDeviceAllocation(pixels.size(), "the training images"));
    pixels_.assign(pixels.begin(), pixels.end());
    labels_.assign(labels.begin(), labels.end());
    order_.resize(labels.size());
    batch_loss_.resize(labels.size());
    return OkStatus();
  }

  Result<double> TrainEpoch(std::span<const std::int32_t> order, int batch_size,
                            const AdamSettings& adam) override {
    LEPTON_RETURN_IF_ERROR(OnDevice("cudaMemcpyAsync of the epoch order"));
    const auto items = static_cast<std::int64_t>(order.size());
    if (items != static_cast<std::int64_t>(labels_.size()) || items == 0 || batch_size < 1 ||
        batch_size > max_batch_) {
      return std::unexpected(InternalError("TrainEpoch: an order of " + std::to_string(items) +
                                           " items in batches of " + std::to_string(batch_size)));
    }
    std::copy(order.begin(), order.end(), order_.begin());
    cuda::ResetEpoch{&state_}(0);
    const cuda::AdamScalars scalars{adam.learning_rate, adam.beta1, adam.beta2, adam.epsilon};
    double sum = 0;
    for (std::int64_t start = 0; start < items; start += batch_size) {
      // A lost device fails the work already queued and a hung one never finishes it; the
      // epoch learns it when it waits at its end.
      if (!device_.Batch()) {
        return std::unexpected(device_.Synchronize("TrainEpoch").WithContext(kDeviceName));
      }
      const auto rows = static_cast<int>(std::min<std::int64_t>(batch_size, items - start));
      cuda::EnqueueTrainingStep(host_, Buffers(rows, batch_size, scalars));
      sum += static_cast<double>(batch_loss_[static_cast<std::size_t>(state_.batch_in_epoch - 1)]) *
             rows;
    }
    return sum / static_cast<double>(items);
  }

  // The data-parallel split step, as the real engine takes it (cuda_mlp_engine.cu); every
  // slice counts as a batch, so a device lost mid-epoch fails the data-parallel workload too.
  Status BeginSplitEpoch(std::span<const std::int32_t> order, int batch_size) override {
    LEPTON_RETURN_IF_ERROR(OnDevice("cudaMemcpyAsync of the epoch order"));
    if (order.size() != labels_.size() || order.empty() || batch_size < 1) {
      return InternalError("BeginSplitEpoch: an order of " + std::to_string(order.size()) +
                           " items in global batches of " + std::to_string(batch_size));
    }
    std::copy(order.begin(), order.end(), order_.begin());
    cuda::ResetEpoch{&state_}(0);
    split_batch_size_ = batch_size;
    split_start_ = 0;
    return OkStatus();
  }

  Status ComputeSliceGradients(int first, int rows) override {
    const auto items = static_cast<std::int64_t>(order_.size());
    if (split_start_ >= items) {
      return InternalError("ComputeSliceGradients: no global batch is left in the epoch");
    }
    const auto global =
        static_cast<int>(std::min<std::int64_t>(split_batch_size_, items - split_start_));
    if (first < 0 || rows < 0 || first + rows > global || rows > max_batch_) {
      return InternalError("ComputeSliceGradients: rows [" + std::to_string(first) + ", " +
                           std::to_string(first + rows) + ") of a global batch of " +
                           std::to_string(global));
    }
    LEPTON_RETURN_IF_ERROR(OnDevice("slice gradients: cudaGraphLaunch"));
    // As on the real module the slice is only launched: a device lost or hung with it fails it
    // or never finishes it, and WaitForGradients learns which.
    if (device_.Batch()) {
      cuda::EnqueueSliceGradients(host_, Buffers(rows, split_batch_size_, {}, first), global);
    }
    split_start_ += split_batch_size_;
    return OkStatus();
  }

  // Named after the work it waits for, as the real module's (cuda_mlp_engine.cu).
  Status WaitForGradients() override {
    return device_.Synchronize("ComputeSliceGradients").WithContext(kDeviceName);
  }

  [[nodiscard]] float* gradients() override { return grads_.data(); }

  Status ApplyAdam(const AdamSettings& adam) override {
    LEPTON_RETURN_IF_ERROR(OnDevice("Adam step: cudaGraphLaunch"));
    cuda::EnqueueAdamStep(
        host_, Buffers(0, 0, {adam.learning_rate, adam.beta1, adam.beta2, adam.epsilon}));
    return OkStatus();
  }

  Status Forward(const float* x, int batch, float* logits) override {
    LEPTON_RETURN_IF_ERROR(OnDevice("Forward: cudaEventQuery"));
    if (batch < 1 || batch > max_batch_) {
      return InternalError("Forward: " + std::to_string(batch) + " rows");
    }
    cuda::EnqueueForward(
        host_, cuda::ForwardBuffers{dims_, batch, params_.data(), x, hidden_.data(), logits});
    return OkStatus();
  }

  Result<std::vector<float>> Parameters() override {
    LEPTON_RETURN_IF_ERROR(OnDevice("GetParameters: cudaMemcpy"));
    return params_;
  }

  Status SetResidentInputs(std::span<const float> x) override {
    LEPTON_RETURN_IF_ERROR(
        OnDeviceAllocation(x.size() * sizeof(float), "the resident inference inputs"));
    resident_.assign(x.begin(), x.end());
    return OkStatus();
  }

  Status ForwardResident(int first, int batch) override {
    LEPTON_RETURN_IF_ERROR(OnDevice("ForwardResident: cudaEventQuery"));
    const std::int64_t rows = static_cast<std::int64_t>(resident_.size()) / dims_.inputs;
    if (first < 0 || batch < 1 || batch > max_batch_ || first + batch > rows) {
      return InternalError("ForwardResident: rows [" + std::to_string(first) + ", " +
                           std::to_string(first + batch) + ")");
    }
    cuda::EnqueueForward(
        host_,
        cuda::ForwardBuffers{dims_, batch, params_.data(),
                             resident_.data() + static_cast<std::ptrdiff_t>(first) * dims_.inputs,
                             hidden_.data(), logits_.data()});
    return OkStatus();
  }

  [[nodiscard]] Result<double> PeakFp32Flops() const override {
    return std::unexpected(
        UnavailableError("the fault-injection stand-in is no GPU and has no fp32 peak"));
  }

 private:
  // As the real module's models, every error names the device (cuda_mlp_model.cc).
  [[nodiscard]] Status OnDevice(const std::string& operation) const {
    return device_.Check(operation).WithContext(kDeviceName);
  }
  [[nodiscard]] Status OnDeviceAllocation(std::size_t bytes, const std::string& name) const {
    return device_.Allocation(bytes, name).WithContext(kDeviceName);
  }

  cuda::TrainingBuffers Buffers(int rows, int stride, const cuda::AdamScalars& adam,
                                int first_row = 0) {
    return cuda::TrainingBuffers{dims_,
                                 rows,
                                 stride,
                                 first_row,
                                 adam,
                                 pixels_.data(),
                                 labels_.data(),
                                 order_.data(),
                                 params_.data(),
                                 grads_.data(),
                                 adam_m_.data(),
                                 adam_v_.data(),
                                 x_.data(),
                                 batch_labels_.data(),
                                 hidden_.data(),
                                 logits_.data(),
                                 dhidden_.data(),
                                 row_loss_.data(),
                                 batch_loss_.data(),
                                 &state_};
  }

  StandInDevice& device_;
  MlpShape shape_;
  cuda::MlpDims dims_;
  int max_batch_;
  cuda::HostDevice host_;
  std::vector<std::uint8_t> pixels_;
  std::vector<std::uint8_t> labels_;
  std::vector<std::int32_t> order_;
  std::vector<float> params_;
  std::vector<float> grads_;
  std::vector<float> adam_m_;
  std::vector<float> adam_v_;
  std::vector<float> x_;
  std::vector<std::uint8_t> batch_labels_;
  std::vector<float> hidden_;
  std::vector<float> logits_;
  std::vector<float> dhidden_;
  std::vector<double> row_loss_;
  std::vector<float> batch_loss_;
  std::vector<float> resident_;
  cuda::TrainingState state_{};
  int split_batch_size_ = 1;
  std::int64_t split_start_ = 0;
};

// Host memory posing as device memory.
class StandInMemory final : public DeviceMemory {
 public:
  explicit StandInMemory(StandInDevice& device) : device_(device) {}
  [[nodiscard]] std::string description() const override { return device_.description(); }
  [[nodiscard]] int device_index() const override { return 0; }
  Result<void*> Allocate(std::size_t bytes) override {
    LEPTON_RETURN_IF_ERROR(device_.Allocation(bytes, "a device buffer"));
    void* data = std::malloc(std::max<std::size_t>(bytes, 1));
    if (data == nullptr) {
      return std::unexpected(ResourceExhaustedError("host malloc of " + std::to_string(bytes) +
                                                    " bytes in the fault-injection stand-in"));
    }
    return data;
  }
  void Free(void* device) override { std::free(device); }
  Status CopyToDevice(void* device, const void* host, std::size_t bytes) override {
    LEPTON_RETURN_IF_ERROR(device_.Check("cudaMemcpy to the device"));
    std::memcpy(device, host, bytes);
    return OkStatus();
  }
  Status CopyToHost(void* host, const void* device, std::size_t bytes) override {
    LEPTON_RETURN_IF_ERROR(device_.Check("cudaMemcpy to the host"));
    std::memcpy(host, device, bytes);
    return OkStatus();
  }

 private:
  StandInDevice& device_;
};

class StandInBackend final : public CudaBackend {
 public:
  Result<std::unique_ptr<MlpModel>> MakeMlp(const MlpModelOptions& options) override {
    LEPTON_RETURN_IF_ERROR(device_.Check("cudaGetDevice"));
    if (options.precision != MlpPrecision::kFp32) {
      return std::unexpected(UnavailableError("the fault-injection stand-in computes fp32 only"));
    }
    return std::make_unique<StandInMlp>(device_, options);
  }
  Result<std::unique_ptr<DeviceRegression>> MakeRegression() override {
    LEPTON_RETURN_IF_ERROR(device_.Check("cudaGetDevice"));
    return std::unexpected(UnavailableError(
        "the fault-injection stand-in has no regression engine (it stands in for the MLP and "
        "device memory)"));
  }
  Result<std::unique_ptr<DeviceMemory>> MakeDeviceMemory(int device) override {
    LEPTON_RETURN_IF_ERROR(device_.Check("cudaGetDevice"));
    if (device != 0) {
      return std::unexpected(ToStatus(cuda::CudaFailure(
          "cudaSetDevice(" + std::to_string(device) + ")", cudaErrorInvalidDevice)));
    }
    return std::make_unique<StandInMemory>(device_);
  }
  // No rank talks to another here: every rank reads the same variable and answers alike.
  Result<std::unique_ptr<Communicator>> MakeNcclCommunicator(Communicator& /*bootstrap*/,
                                                             int /*device*/,
                                                             double /*timeout_seconds*/) override {
    LEPTON_RETURN_IF_ERROR(device_.Check("cudaGetDevice"));
    return std::unexpected(
        UnavailableError("the fault-injection stand-in has no NCCL communicator"));
  }
  Result<std::unique_ptr<CommunicatorGroup>> MakeNcclLocalGroup(
      std::vector<int> /*devices*/, double /*timeout_seconds*/) override {
    LEPTON_RETURN_IF_ERROR(device_.Check("cudaGetDevice"));
    return std::unexpected(
        UnavailableError("the fault-injection stand-in has no NCCL communicator"));
  }
  std::vector<std::string> HungDevices() override { return device_.HungDevices(); }

 private:
  StandInDevice device_;
};

}  // namespace
}  // namespace lepton::bench

extern "C" __attribute__((visibility("default"))) lepton::bench::CudaBackend* lepton_cuda_backend(
    int abi_version) {
  if (abi_version != lepton::bench::kCudaBackendAbiVersion) return nullptr;
  static lepton::bench::StandInBackend backend;
  return &backend;
}
