#pragma once
// What the CUDA engines share (CUDA code only): errors as DeviceStatus naming the call, the
// grid-stride kernel that runs mlp_step.h's and regression_step.h's functors, a stream Device
// for those sequences (cuBLAS for GEMM and SYRK), CUDA graphs, owning device and pinned arrays,
// and the stream context whose waits are bounded (device_watch.h).

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "bench/backends/cuda/cuda_error.h"
#include "bench/backends/cuda/cuda_mlp_engine.h"
#include "bench/backends/cuda/device_watch.h"
#include "bench/backends/cuda/regression_step.h"

namespace lepton::bench::cuda {

inline DeviceStatus Check(cudaError_t error, const std::string& what) {
  if (error == cudaSuccess) return {};
  return CudaFailure(what, error);
}

inline DeviceStatus CheckBlas(cublasStatus_t status, const std::string& what) {
  if (status == CUBLAS_STATUS_SUCCESS) return {};
  return DeviceStatus{
      what + ": " + cublasGetStatusName(status) + " (" + cublasGetStatusString(status) + ")",
      false};
}

#define LEPTON_DEVICE_TRY(expr)                      \
  do {                                               \
    DeviceStatus lepton_status_ = (expr);            \
    if (!lepton_status_.ok()) return lepton_status_; \
  } while (false)

template <class Body>
__global__ void ForEachKernel(Body body, std::int64_t n) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += stride) {
    body(i);
  }
}

// One block running `body`'s phases with a barrier between them, its scratch in shared memory.
template <class Body>
__global__ void ForBlockKernel(Body body) {
  extern __shared__ double scratch[];
  const std::int64_t phases = body.phases();
  for (std::int64_t phase = 0; phase < phases; ++phase) {
    if (phase > 0) __syncthreads();
    body(phase, static_cast<int>(threadIdx.x), scratch);
  }
}

// The shared memory a block gets without opting in to more.
inline constexpr std::size_t kBlockScratchBytes = 48 * 1024;

// Runs mlp_step.h's sequences on a stream: functors as grid-stride kernels, GEMMs through
// cuBLAS. Errors are kept (the first of each kind) and read after the sequence, because during
// graph capture nothing runs and a sequence cannot stop half-way.
class StreamDevice {
 public:
  StreamDevice(cudaStream_t stream, cublasHandle_t blas) : stream_(stream), blas_(blas) {}

  template <class Body>
  void ForEach(std::int64_t n, const Body& body) {
    if (n <= 0) return;
    constexpr int kThreads = 256;
    const auto blocks =
        static_cast<unsigned>(std::min<std::int64_t>((n + kThreads - 1) / kThreads, 65535));
    ForEachKernel<<<blocks, kThreads, 0, stream_>>>(body, n);
    const cudaError_t launched = cudaGetLastError();
    if (launched != cudaSuccess && launch_error_ == cudaSuccess) launch_error_ = launched;
  }

  // The caller keeps body.scratch() within kBlockScratchBytes; beyond it the launch fails.
  template <class Body>
  void ForBlock(const Body& body) {
    const auto bytes = static_cast<std::size_t>(body.scratch()) * sizeof(double);
    ForBlockKernel<<<1, static_cast<unsigned>(body.Threads()), bytes, stream_>>>(body);
    const cudaError_t launched = cudaGetLastError();
    if (launched != cudaSuccess && launch_error_ == cudaSuccess) launch_error_ = launched;
  }

  void Gemm(const RowMajorGemm& gemm) {
    const ColumnMajorGemm g = ToColumnMajor(gemm);
    const float alpha = 1.0F;
    const cublasStatus_t status = cublasSgemm(
        blas_, g.transpose_a ? CUBLAS_OP_T : CUBLAS_OP_N, g.transpose_b ? CUBLAS_OP_T : CUBLAS_OP_N,
        g.m, g.n, g.k, &alpha, g.a, g.lda, g.b, g.ldb, &g.beta, g.c, g.ldc);
    if (status != CUBLAS_STATUS_SUCCESS && blas_error_ == CUBLAS_STATUS_SUCCESS) {
      blas_error_ = status;
    }
  }

  void Syrk(const ColumnMajorSyrk& syrk) {
    const double alpha = 1.0;
    const double beta = 0.0;
    const cublasStatus_t status =
        cublasDsyrk(blas_, CUBLAS_FILL_MODE_LOWER, CUBLAS_OP_N, syrk.n, syrk.k, &alpha, syrk.a,
                    syrk.lda, &beta, syrk.c, syrk.ldc);
    if (status != CUBLAS_STATUS_SUCCESS && blas_error_ == CUBLAS_STATUS_SUCCESS) {
      blas_error_ = status;
    }
  }

  [[nodiscard]] DeviceStatus Errors(const std::string& what) const {
    LEPTON_DEVICE_TRY(Check(launch_error_, what + ": kernel launch"));
    return CheckBlas(blas_error_, what + ": cuBLAS");
  }

 private:
  cudaStream_t stream_;
  cublasHandle_t blas_;
  cudaError_t launch_error_ = cudaSuccess;
  cublasStatus_t blas_error_ = CUBLAS_STATUS_SUCCESS;
};

class Graph {
 public:
  Graph() = default;
  Graph(const Graph&) = delete;
  Graph& operator=(const Graph&) = delete;
  ~Graph() { Reset(); }
  void Reset() {
    if (exec_ != nullptr) cudaGraphExecDestroy(exec_);
    if (graph_ != nullptr) cudaGraphDestroy(graph_);
    exec_ = nullptr;
    graph_ = nullptr;
  }
  [[nodiscard]] bool empty() const { return exec_ == nullptr; }

  // Records what `enqueue(device)` issues on `stream` and instantiates it.
  template <class Enqueue>
  DeviceStatus Capture(cudaStream_t stream, cublasHandle_t blas, const std::string& what,
                       const Enqueue& enqueue) {
    Reset();
    LEPTON_DEVICE_TRY(Check(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal),
                            what + ": cudaStreamBeginCapture"));
    StreamDevice device(stream, blas);
    enqueue(device);
    const cudaError_t ended = cudaStreamEndCapture(stream, &graph_);
    LEPTON_DEVICE_TRY(device.Errors(what));
    LEPTON_DEVICE_TRY(Check(ended, what + ": cudaStreamEndCapture"));
    return Check(cudaGraphInstantiate(&exec_, graph_, 0), what + ": cudaGraphInstantiate");
  }

  DeviceStatus Launch(cudaStream_t stream, const std::string& what) const {
    return Check(cudaGraphLaunch(exec_, stream), what + ": cudaGraphLaunch");
  }

 private:
  cudaGraph_t graph_ = nullptr;
  cudaGraphExec_t exec_ = nullptr;
};

// Where a CudaArray lives: device memory, or page-locked host memory (graph-captured copies
// between host and device need it).
enum class CudaMemory { kDevice, kPinnedHost };

// An allocation freed with its owner; Allocate replaces what it held.
template <class T, CudaMemory kWhere>
class CudaArray {
 public:
  CudaArray() = default;
  CudaArray(const CudaArray&) = delete;
  CudaArray& operator=(const CudaArray&) = delete;
  ~CudaArray() { Free(); }
  DeviceStatus Allocate(std::int64_t count, const std::string& name) {
    Free();
    const auto bytes = static_cast<std::size_t>(std::max<std::int64_t>(count, 1)) * sizeof(T);
    void* allocated = nullptr;
    const bool device = kWhere == CudaMemory::kDevice;
    LEPTON_DEVICE_TRY(
        Check(device ? cudaMalloc(&allocated, bytes) : cudaMallocHost(&allocated, bytes),
              std::string(device ? "cudaMalloc" : "cudaMallocHost") + " of " +
                  std::to_string(bytes) + " bytes for " + name));
    data_ = static_cast<T*>(allocated);
    count_ = count;
    return {};
  }
  [[nodiscard]] T* get() const { return data_; }
  [[nodiscard]] std::int64_t size() const { return count_; }

 private:
  void Free() {
    if (data_ != nullptr) {
      if constexpr (kWhere == CudaMemory::kDevice) {
        cudaFree(data_);
      } else {
        cudaFreeHost(data_);
      }
    }
    data_ = nullptr;
    count_ = 0;
  }

  T* data_ = nullptr;
  std::int64_t count_ = 0;
};

template <class T>
using DeviceArray = CudaArray<T, CudaMemory::kDevice>;
template <class T>
using PinnedArray = CudaArray<T, CudaMemory::kPinnedHost>;

// The process's current CUDA device (the first CUDA_VISIBLE_DEVICES leaves) with a stream and
// a cuBLAS handle on it. Owners declare it first, so it outlives their graphs and arrays. Every
// wait is bounded by the module's DeviceWatch; once the device hung, its owner must not destroy
// it (hung(): cublasDestroy and the arrays' cudaFree would wait for the hung work forever).
class StreamContext {
 public:
  StreamContext() = default;
  StreamContext(const StreamContext&) = delete;
  StreamContext& operator=(const StreamContext&) = delete;
  ~StreamContext() {
    if (done_ != nullptr) cudaEventDestroy(done_);
    if (blas_ != nullptr) cublasDestroy(blas_);
    if (stream_ != nullptr) cudaStreamDestroy(stream_);
  }

  DeviceStatus Open(DeviceWatch& watch) {
    watch_ = &watch;
    int count = 0;
    LEPTON_DEVICE_TRY(CountCudaDevices(count));
    LEPTON_DEVICE_TRY(Check(cudaGetDevice(&device_), "cudaGetDevice"));
    // Nothing more on a device that hung: making a stream or allocating may wait for its work.
    LEPTON_DEVICE_TRY(watch.Check(device_, "cudaStreamCreateWithFlags"));
    cudaDeviceProp properties{};
    LEPTON_DEVICE_TRY(
        Check(cudaGetDeviceProperties(&properties, device_), "cudaGetDeviceProperties"));
    LEPTON_DEVICE_TRY(Check(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking),
                            "cudaStreamCreateWithFlags"));
    // The event each wait records after the work it waits for (timing off: cheaper to record).
    LEPTON_DEVICE_TRY(Check(cudaEventCreateWithFlags(&done_, cudaEventDisableTiming),
                            "cudaEventCreateWithFlags"));
    LEPTON_DEVICE_TRY(CheckBlas(cublasCreate(&blas_), "cublasCreate"));
    LEPTON_DEVICE_TRY(CheckBlas(cublasSetStream(blas_, stream_), "cublasSetStream"));
    // cuBLAS's recommended workspace for Hopper, set before any capture so that captured calls
    // never allocate.
    constexpr std::int64_t kWorkspaceBytes = 32 << 20;
    LEPTON_DEVICE_TRY(workspace_.Allocate(kWorkspaceBytes, "the cuBLAS workspace"));
    LEPTON_DEVICE_TRY(CheckBlas(cublasSetWorkspace(blas_, workspace_.get(), kWorkspaceBytes),
                                "cublasSetWorkspace"));
    int blas_version = 0;
    LEPTON_DEVICE_TRY(CheckBlas(cublasGetVersion(blas_, &blas_version), "cublasGetVersion"));
    int clock_khz = 0;
    LEPTON_DEVICE_TRY(Check(cudaDeviceGetAttribute(&clock_khz, cudaDevAttrClockRate, device_),
                            "cudaDeviceGetAttribute(cudaDevAttrClockRate)"));
    compute_capability_ = properties.major * 10 + properties.minor;
    multiprocessors_ = properties.multiProcessorCount;
    boost_clock_hz_ = 1000.0 * clock_khz;
    description_ = "cuda:" + std::to_string(device_) + " " + properties.name + " (sm_" +
                   std::to_string(properties.major) + std::to_string(properties.minor) + ", " +
                   std::to_string(properties.multiProcessorCount) + " SMs), cuBLAS " +
                   std::to_string(blas_version);
    return {};
  }

  [[nodiscard]] int device() const { return device_; }
  // Every call of an engine starts here: refused at once when the device hung earlier (its
  // calls could block), else this context's device becomes the calling thread's current one
  // (others, such as an NCCL communicator's or DeviceMemory's, may have selected theirs since).
  DeviceStatus Select(const std::string& what) const {
    LEPTON_DEVICE_TRY(watch_->Check(device_, what));
    return Check(cudaSetDevice(device_), what + ": cudaSetDevice");
  }
  // Whether this context's device hung (in any engine's wait): then nothing on it is released.
  [[nodiscard]] bool hung() const { return watch_ != nullptr && watch_->hung(device_); }
  [[nodiscard]] cudaStream_t stream() const { return stream_; }
  [[nodiscard]] cublasHandle_t blas() const { return blas_; }
  // "cuda:0 NVIDIA H100 80GB HBM3 (sm_90, 132 SMs), cuBLAS 130000".
  [[nodiscard]] const std::string& description() const { return description_; }
  [[nodiscard]] int compute_capability() const { return compute_capability_; }  // 90 for 9.0
  [[nodiscard]] int multiprocessors() const { return multiprocessors_; }
  [[nodiscard]] double boost_clock_hz() const { return boost_clock_hz_; }
  // Waits for everything queued on the stream, at most LEPTON_DEVICE_TIMEOUT_S (device_wait.h):
  // cudaStreamSynchronize would wait forever for a kernel that never ends. The stream's errors
  // (a sticky one from a faulted kernel) come back from cudaEventQuery.
  DeviceStatus Synchronize(const std::string& what) const {
    LEPTON_DEVICE_TRY(Check(cudaEventRecord(done_, stream_), what + ": cudaEventRecord"));
    return watch_->Wait(device_, what, [&]() -> std::optional<DeviceStatus> {
      const cudaError_t state = cudaEventQuery(done_);
      if (state == cudaErrorNotReady) {
        // "Not actually an error" (the runtime's words); were it kept as the thread's last
        // error, the next launch check (StreamDevice) would report it, so it is cleared.
        if (cudaPeekAtLastError() == cudaErrorNotReady) (void)cudaGetLastError();
        return std::nullopt;
      }
      return Check(state, what + ": cudaEventQuery");
    });
  }

 private:
  DeviceWatch* watch_ = nullptr;
  int device_ = 0;
  cudaStream_t stream_ = nullptr;
  cudaEvent_t done_ = nullptr;
  cublasHandle_t blas_ = nullptr;
  DeviceArray<std::byte> workspace_;
  std::string description_;
  int compute_capability_ = 0;
  int multiprocessors_ = 0;
  double boost_clock_hz_ = 0;
};

// FP32 lanes per SM from NVIDIA's CUDA C Programming Guide (arithmetic instruction throughput
// table): 64 on 6.0, 7.x and 8.0; 128 on 6.1, 6.2, 8.6, 8.7, 8.9, 9.0, 10.x and 12.x. 0 when
// the architecture is not listed.
inline int Fp32LanesPerMultiprocessor(int compute_capability) {
  switch (compute_capability) {
    case 60:
    case 70:
    case 72:
    case 75:
    case 80:
      return 64;
    case 61:
    case 62:
    case 86:
    case 87:
    case 89:
    case 90:
    case 100:
    case 101:
    case 103:
    case 120:
    case 121:
      return 128;
    default:
      return 0;
  }
}

}  // namespace lepton::bench::cuda
