#include "bench/comm/nccl/nccl_communicator.h"

#include <cuda_runtime.h>
#include <nccl.h>

#include <array>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>

namespace lepton::bench {
namespace {

Status CudaStatus(cudaError_t error, std::string_view operation) {
  if (error == cudaSuccess) return OkStatus();
  return InternalError(std::string(operation) + ": " + cudaGetErrorString(error));
}

Status NcclStatus(ncclResult_t result, std::string_view operation) {
  if (result == ncclSuccess || result == ncclInProgress) return OkStatus();
  return InternalError(std::string(operation) + ": " + ncclGetErrorString(result));
}

ncclDataType_t ToNccl(DataType type) {
  switch (type) {
    case DataType::kFloat32:
      return ncclFloat32;
    case DataType::kFloat64:
      return ncclFloat64;
    case DataType::kInt64:
      return ncclInt64;
  }
  return ncclFloat32;
}

ncclRedOp_t ToNccl(ReduceOp op) {
  switch (op) {
    case ReduceOp::kSum:
      return ncclSum;
    case ReduceOp::kMax:
      return ncclMax;
    case ReduceOp::kMin:
      return ncclMin;
  }
  return ncclSum;
}

const std::byte* Offset(const void* base, std::size_t elements, DataType type) {
  return static_cast<const std::byte*>(base) + elements * DataTypeSize(type);
}

std::byte* Offset(void* base, std::size_t elements, DataType type) {
  return static_cast<std::byte*>(base) + elements * DataTypeSize(type);
}

class NcclCommunicator final : public Communicator {
 public:
  NcclCommunicator(ncclComm_t comm, cudaStream_t stream, int rank, int size, double timeout_seconds)
      : comm_(comm), stream_(stream), rank_(rank), size_(size), timeout_(timeout_seconds) {}
  NcclCommunicator(const NcclCommunicator&) = delete;
  NcclCommunicator& operator=(const NcclCommunicator&) = delete;
  ~NcclCommunicator() override {
    if (comm_ != nullptr) ncclCommDestroy(comm_);
    if (barrier_ != nullptr) cudaFree(barrier_);
    cudaStreamDestroy(stream_);
  }

  [[nodiscard]] std::string_view name() const override { return "nccl"; }
  [[nodiscard]] int rank() const override { return rank_; }
  [[nodiscard]] int size() const override { return size_; }

  Status AllReduce(const void* send, void* recv, std::size_t count, DataType type,
                   ReduceOp op) override {
    return Finish(ncclAllReduce(send, recv, count, ToNccl(type), ToNccl(op), comm_, stream_),
                  "ncclAllReduce");
  }
  Status AllGather(const void* send, void* recv, std::size_t count, DataType type) override {
    return Finish(ncclAllGather(send, recv, count, ToNccl(type), comm_, stream_), "ncclAllGather");
  }
  Status ReduceScatter(const void* send, void* recv, std::size_t count, DataType type,
                       ReduceOp op) override {
    return Finish(ncclReduceScatter(send, recv, count, ToNccl(type), ToNccl(op), comm_, stream_),
                  "ncclReduceScatter");
  }
  Status Broadcast(const void* send, void* recv, std::size_t count, DataType type,
                   int root) override {
    LEPTON_RETURN_IF_ERROR(CheckPeer("broadcast root", root));
    return Finish(ncclBroadcast(send, recv, count, ToNccl(type), root, comm_, stream_),
                  "ncclBroadcast");
  }
  Status Reduce(const void* send, void* recv, std::size_t count, DataType type, ReduceOp op,
                int root) override {
    LEPTON_RETURN_IF_ERROR(CheckPeer("reduce root", root));
    return Finish(ncclReduce(send, recv, count, ToNccl(type), ToNccl(op), root, comm_, stream_),
                  "ncclReduce");
  }
  Status AllToAll(const void* send, void* recv, std::size_t count, DataType type) override {
    if (send == recv) {
      return InvalidArgumentError("ncclSend/ncclRecv all-to-all cannot run in place");
    }
    // NCCL has no all-to-all call; nccl-tests builds it from grouped sends and receives.
    ncclResult_t result = ncclGroupStart();
    for (int peer = 0; peer < size_ && result == ncclSuccess; ++peer) {
      const auto at = static_cast<std::size_t>(peer) * count;
      result = ncclSend(Offset(send, at, type), count, ToNccl(type), peer, comm_, stream_);
      if (result == ncclSuccess) {
        result = ncclRecv(Offset(recv, at, type), count, ToNccl(type), peer, comm_, stream_);
      }
    }
    const ncclResult_t ended = ncclGroupEnd();
    return Finish(result == ncclSuccess ? ended : result, "all-to-all (ncclSend/ncclRecv)");
  }
  Status SendRecv(const void* send, int send_to, void* recv, int recv_from, std::size_t count,
                  DataType type) override {
    LEPTON_RETURN_IF_ERROR(CheckPeer("send to", send_to));
    LEPTON_RETURN_IF_ERROR(CheckPeer("receive from", recv_from));
    ncclResult_t result = ncclGroupStart();
    if (result == ncclSuccess)
      result = ncclSend(send, count, ToNccl(type), send_to, comm_, stream_);
    if (result == ncclSuccess) {
      result = ncclRecv(recv, count, ToNccl(type), recv_from, comm_, stream_);
    }
    const ncclResult_t ended = ncclGroupEnd();
    return Finish(result == ncclSuccess ? ended : result, "ncclSend/ncclRecv");
  }
  // An all-reduce of one device integer: NCCL has no barrier.
  Status Barrier() override {
    if (barrier_ == nullptr) {
      LEPTON_RETURN_IF_ERROR(
          CudaStatus(cudaMalloc(&barrier_, sizeof(std::int64_t)), "cudaMalloc (barrier)"));
    }
    return Finish(ncclAllReduce(barrier_, barrier_, 1, ncclInt64, ncclSum, comm_, stream_),
                  "barrier (ncclAllReduce)");
  }

 private:
  [[nodiscard]] Status CheckPeer(std::string_view what, int peer) const {
    if (peer >= 0 && peer < size_) return OkStatus();
    return InvalidArgumentError(std::string(what) + " rank " + std::to_string(peer) +
                                " is outside the " + std::to_string(size_) + " ranks");
  }

  // Waits for the enqueued operation; the watchdog: asynchronous NCCL errors (a peer that died
  // breaks the network connection) and the deadline both abort the communicator.
  Status Finish(ncclResult_t enqueued, std::string_view operation) {
    if (comm_ == nullptr) {
      return FailedPreconditionError("the NCCL communicator was aborted by an earlier error");
    }
    LEPTON_RETURN_IF_ERROR(NcclStatus(enqueued, operation));
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                              std::chrono::duration<double>(timeout_));
    for (;;) {
      const cudaError_t query = cudaStreamQuery(stream_);
      if (query == cudaSuccess) return OkStatus();
      if (query != cudaErrorNotReady) return Abort(CudaStatus(query, operation));
      ncclResult_t async_error = ncclSuccess;
      if (ncclCommGetAsyncError(comm_, &async_error) != ncclSuccess ||
          (async_error != ncclSuccess && async_error != ncclInProgress)) {
        return Abort(NcclStatus(async_error, std::string(operation) + " (asynchronous error)"));
      }
      if (std::chrono::steady_clock::now() > deadline) {
        return Abort(DeadlineExceededError("rank " + std::to_string(rank_) + ": " +
                                           std::string(operation) + " did not complete within " +
                                           std::to_string(timeout_) +
                                           " s (a peer rank may have died)"));
      }
      std::this_thread::yield();
    }
  }

  Status Abort(Status error) {
    ncclCommAbort(comm_);
    comm_ = nullptr;
    return error;
  }

  ncclComm_t comm_;
  cudaStream_t stream_;
  int rank_;
  int size_;
  double timeout_;
  void* barrier_ = nullptr;
};

}  // namespace

Result<int> VisibleCudaDevices() {
  int count = 0;
  const cudaError_t error = cudaGetDeviceCount(&count);
  if (error != cudaSuccess) {
    return std::unexpected(
        UnavailableError(std::string("no CUDA device: ") + cudaGetErrorString(error)));
  }
  return count;
}

Result<std::unique_ptr<Communicator>> MakeNcclCommunicator(Communicator& bootstrap, int device,
                                                           double timeout_seconds) {
  // ncclUniqueId is 128 opaque bytes; the bootstrap moves it as 16 int64 values.
  static_assert(sizeof(ncclUniqueId) % sizeof(std::int64_t) == 0);
  std::array<std::int64_t, sizeof(ncclUniqueId) / sizeof(std::int64_t)> words{};
  ncclUniqueId id{};
  if (bootstrap.rank() == 0) {
    LEPTON_RETURN_IF_ERROR(NcclStatus(ncclGetUniqueId(&id), "ncclGetUniqueId"));
    std::memcpy(words.data(), &id, sizeof(id));
  }
  LEPTON_RETURN_IF_ERROR(
      bootstrap.Broadcast(words.data(), words.data(), words.size(), DataType::kInt64, 0));
  std::memcpy(&id, words.data(), sizeof(id));

  LEPTON_RETURN_IF_ERROR(CudaStatus(cudaSetDevice(device), "cudaSetDevice"));
  cudaStream_t stream = nullptr;
  LEPTON_RETURN_IF_ERROR(
      CudaStatus(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), "cudaStreamCreate"));
  ncclComm_t comm = nullptr;
  if (Status created = NcclStatus(ncclCommInitRank(&comm, bootstrap.size(), id, bootstrap.rank()),
                                  "ncclCommInitRank");
      !created.ok()) {
    cudaStreamDestroy(stream);
    return std::unexpected(created);
  }
  return std::make_unique<NcclCommunicator>(comm, stream, bootstrap.rank(), bootstrap.size(),
                                            timeout_seconds);
}

}  // namespace lepton::bench
