#include "bench/backends/cuda/nccl_communicator.h"

#include <cuda_runtime.h>
#include <nccl.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "bench/backends/cuda/cuda_status.h"
#include "bench/backends/cuda/nccl_library.h"
#include "bench/comm/string_gather.h"

namespace lepton::bench::cuda {
namespace {

// A rank's reason for not taking part, as the others see it.
constexpr std::size_t kMaxReasonBytes = 400;

ncclDataType_t ToNccl(DataType type) {
  switch (type) {
    case DataType::kFloat32:
      return ncclFloat32;
    case DataType::kFloat64:
      return ncclFloat64;
    case DataType::kInt64:
      return ncclInt64;
    case DataType::kBfloat16:
      return ncclBfloat16;
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

// "what: ncclInvalidArgument (invalid argument) (NCCL's last error detail)". Usage errors are
// InvalidArgument; the rest (system, remote, internal, CUDA) Internal.
Status NcclError(const NcclLibrary& nccl, ncclResult_t result, std::string_view what,
                 ncclComm_t comm = nullptr) {
  std::string message = std::string(what) + ": " + nccl.GetErrorString(result);
  if (const char* detail = nccl.GetLastError(comm); detail != nullptr && *detail != '\0') {
    message += std::string(" (") + detail + ")";
  }
  if (result == ncclInvalidArgument || result == ncclInvalidUsage) {
    return InvalidArgumentError(std::move(message));
  }
  return InternalError(std::move(message));
}

bool Succeeded(ncclResult_t result) { return result == ncclSuccess || result == ncclInProgress; }

// In asynchronous mode, the most operations left in flight before the next one waits for them
// (nccl-tests' default of 20 timed iterations, and the spec's, stay well below it).
constexpr std::size_t kMaxEnqueued = 128;

class NcclCommunicator final : public Communicator {
 public:
  NcclCommunicator(const NcclLibrary& nccl, ncclComm_t comm, cudaStream_t stream, int device,
                   int rank, int size, double timeout_seconds)
      : nccl_(nccl),
        comm_(comm),
        stream_(stream),
        device_(device),
        rank_(rank),
        size_(size),
        timeout_(timeout_seconds) {}
  NcclCommunicator(const NcclCommunicator&) = delete;
  NcclCommunicator& operator=(const NcclCommunicator&) = delete;
  ~NcclCommunicator() override {
    (void)cudaSetDevice(device_);
    // Operations left in flight (an error between enqueueing and Synchronize) are waited for
    // under the watchdog, which aborts the communicator when they hang, before the destroy.
    if (comm_ != nullptr && enqueued_ > 0) (void)Wait();
    if (comm_ != nullptr) nccl_.CommDestroy(comm_);
    if (scratch_ != nullptr) (void)cudaFree(scratch_);
    if (barrier_ != nullptr) (void)cudaFree(barrier_);
    (void)cudaStreamDestroy(stream_);
  }

  [[nodiscard]] std::string_view name() const override { return "nccl"; }
  [[nodiscard]] int rank() const override { return rank_; }
  [[nodiscard]] int size() const override { return size_; }

  Status AllReduce(const void* send, void* recv, std::size_t count, DataType type,
                   ReduceOp op) override {
    LEPTON_RETURN_IF_ERROR(Begin());
    return Finish(nccl_.AllReduce(send, recv, count, ToNccl(type), ToNccl(op), comm_, stream_),
                  "ncclAllReduce", count);
  }
  Status AllGather(const void* send, void* recv, std::size_t count, DataType type) override {
    LEPTON_RETURN_IF_ERROR(Begin());
    return Finish(nccl_.AllGather(send, recv, count, ToNccl(type), comm_, stream_), "ncclAllGather",
                  count);
  }
  Status ReduceScatter(const void* send, void* recv, std::size_t count, DataType type,
                       ReduceOp op) override {
    LEPTON_RETURN_IF_ERROR(Begin());
    return Finish(nccl_.ReduceScatter(send, recv, count, ToNccl(type), ToNccl(op), comm_, stream_),
                  "ncclReduceScatter", count);
  }
  Status Broadcast(const void* send, void* recv, std::size_t count, DataType type,
                   int root) override {
    LEPTON_RETURN_IF_ERROR(CheckPeer("broadcast root", root));
    LEPTON_RETURN_IF_ERROR(Begin());
    return Finish(nccl_.Broadcast(send, recv, count, ToNccl(type), root, comm_, stream_),
                  "ncclBroadcast", count);
  }
  Status Reduce(const void* send, void* recv, std::size_t count, DataType type, ReduceOp op,
                int root) override {
    LEPTON_RETURN_IF_ERROR(CheckPeer("reduce root", root));
    LEPTON_RETURN_IF_ERROR(Begin());
    return Finish(nccl_.Reduce(send, recv, count, ToNccl(type), ToNccl(op), root, comm_, stream_),
                  "ncclReduce", count);
  }
  // NCCL's grouped sends and receives, as nccl-tests builds all-to-all. In place (send == recv,
  // MPI_IN_PLACE's meaning) the input is first copied to a scratch buffer on the same stream,
  // since a receive may land before the send of the same block has read it; that device-local
  // copy is part of the in-place figure.
  Status AllToAll(const void* send, void* recv, std::size_t count, DataType type) override {
    LEPTON_RETURN_IF_ERROR(Begin());
    const std::size_t bytes = count * static_cast<std::size_t>(size_) * DataTypeSize(type);
    if (send == recv) {
      LEPTON_ASSIGN_OR_RETURN(send, Stage(send, bytes));
    }
    ncclResult_t result = nccl_.GroupStart();
    for (int peer = 0; peer < size_ && Succeeded(result); ++peer) {
      const auto at = static_cast<std::size_t>(peer) * count;
      result = nccl_.Send(Offset(send, at, type), count, ToNccl(type), peer, comm_, stream_);
      if (Succeeded(result)) {
        result = nccl_.Recv(Offset(recv, at, type), count, ToNccl(type), peer, comm_, stream_);
      }
    }
    const ncclResult_t ended = nccl_.GroupEnd();
    return Finish(Succeeded(result) ? ended : result, "all-to-all (ncclSend/ncclRecv)", count);
  }
  // In place (MPI_Sendrecv_replace's meaning) through the scratch buffer, as AllToAll.
  Status SendRecv(const void* send, int send_to, void* recv, int recv_from, std::size_t count,
                  DataType type) override {
    LEPTON_RETURN_IF_ERROR(CheckPeer("send to", send_to));
    LEPTON_RETURN_IF_ERROR(CheckPeer("receive from", recv_from));
    LEPTON_RETURN_IF_ERROR(Begin());
    if (send == recv) {
      LEPTON_ASSIGN_OR_RETURN(send, Stage(send, count * DataTypeSize(type)));
    }
    ncclResult_t result = nccl_.GroupStart();
    if (Succeeded(result)) result = nccl_.Send(send, count, ToNccl(type), send_to, comm_, stream_);
    if (Succeeded(result)) {
      result = nccl_.Recv(recv, count, ToNccl(type), recv_from, comm_, stream_);
    }
    const ncclResult_t ended = nccl_.GroupEnd();
    return Finish(Succeeded(result) ? ended : result, "ncclSend/ncclRecv", count);
  }
  // An all-reduce of one device integer: NCCL has no barrier.
  Status Barrier() override {
    LEPTON_RETURN_IF_ERROR(Begin());
    if (barrier_ == nullptr) {
      LEPTON_RETURN_IF_ERROR(
          CudaStatus(cudaMalloc(&barrier_, sizeof(std::int64_t)), "cudaMalloc (barrier)"));
    }
    return Finish(nccl_.AllReduce(barrier_, barrier_, 1, ncclInt64, ncclSum, comm_, stream_),
                  "barrier (ncclAllReduce)", 1, /*wait=*/true);
  }

  void SetAsynchronous(bool on) override { asynchronous_ = on; }
  [[nodiscard]] bool asynchronous() const override { return asynchronous_; }
  // Waits for everything enqueued since the last wait, under the watchdog.
  Status Synchronize() override {
    LEPTON_RETURN_IF_ERROR(Begin());
    return Wait();
  }

 private:
  [[nodiscard]] Status CheckPeer(std::string_view what, int peer) const {
    if (peer >= 0 && peer < size_) return OkStatus();
    return InvalidArgumentError(std::string(what) + " rank " + std::to_string(peer) +
                                " is outside the " + std::to_string(size_) + " ranks");
  }

  // The communicator's device current on this thread; refuses once aborted.
  Status Begin() {
    if (comm_ == nullptr) {
      return FailedPreconditionError("the NCCL communicator was aborted by an earlier error");
    }
    return CudaStatus(cudaSetDevice(device_), "cudaSetDevice");
  }

  // `source` copied on the stream into the scratch buffer (grown as needed); the copy.
  Result<const void*> Stage(const void* source, std::size_t bytes) {
    if (bytes > scratch_bytes_) {
      if (scratch_ != nullptr) {
        // Enqueued operations may still read the old buffer: waited for under the watchdog.
        LEPTON_RETURN_IF_ERROR(Wait());
        (void)cudaFree(scratch_);
        scratch_ = nullptr;
        scratch_bytes_ = 0;
      }
      LEPTON_RETURN_IF_ERROR(CudaStatus(
          cudaMalloc(&scratch_, bytes),
          "cudaMalloc of the in-place staging buffer (" + std::to_string(bytes) + " bytes)"));
      scratch_bytes_ = bytes;
    }
    LEPTON_RETURN_IF_ERROR(
        CudaStatus(cudaMemcpyAsync(scratch_, source, bytes, cudaMemcpyDeviceToDevice, stream_),
                   "cudaMemcpyAsync (in-place staging)"));
    return scratch_;
  }

  // After an operation was enqueued: a usage error leaves the communicator usable, any other
  // error aborts it. Blocking (the mode off, or `wait`), waits for it and everything before it;
  // asynchronous, counts it and looks once for an asynchronous error without waiting. At most
  // kMaxEnqueued operations are left in flight: CUDA blocks the host in a kernel launch when the
  // stream's queue is full, where a hung peer would leave no thread to run the watchdog.
  Status Finish(ncclResult_t enqueued, std::string_view operation, std::size_t count,
                bool wait = false) {
    const std::string what = std::string(operation) + " of " + std::to_string(count) + " elements";
    if (enqueued == ncclInvalidArgument || enqueued == ncclInvalidUsage) {
      // Nothing was enqueued; still usable.
      return NcclError(nccl_, enqueued, "rank " + std::to_string(rank_) + ": " + what, comm_);
    }
    if (!Succeeded(enqueued)) {
      return Abort(
          NcclError(nccl_, enqueued, "rank " + std::to_string(rank_) + ": " + what, comm_));
    }
    ++enqueued_;
    last_enqueued_ = what;
    if (wait || !asynchronous_ || enqueued_ >= kMaxEnqueued) return Wait();
    ncclResult_t async_error = ncclSuccess;
    if (const ncclResult_t queried = nccl_.CommGetAsyncError(comm_, &async_error);
        queried != ncclSuccess) {
      return Abort(NcclError(nccl_, queried, Pending() + " (ncclCommGetAsyncError)", comm_));
    }
    if (!Succeeded(async_error)) {
      return Abort(NcclError(nccl_, async_error, Pending() + " (asynchronous error)", comm_));
    }
    return OkStatus();
  }

  // "rank 0: ncclAllReduce of 2 elements", or with several in flight "rank 0: 20 operations
  // enqueued since the last wait (the last: ncclAllReduce of 2 elements)".
  [[nodiscard]] std::string Pending() const {
    std::string text = "rank " + std::to_string(rank_) + ": ";
    if (enqueued_ <= 1) return text + (enqueued_ == 1 ? last_enqueued_ : "no operation in flight");
    return text + std::to_string(enqueued_) +
           " operations enqueued since the last wait (the last: " + last_enqueued_ + ")";
  }

  // Waits for every enqueued operation; the watchdog: asynchronous NCCL errors (a peer that died
  // breaks the connection) and the deadline (`timeout_` from the start of this wait) both abort
  // the communicator. ncclCommGetAsyncError must say ncclSuccess (not ncclInProgress) before the
  // stream holds the whole operation.
  Status Wait() {
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                              std::chrono::duration<double>(timeout_));
    for (;;) {
      ncclResult_t async_error = ncclSuccess;
      if (const ncclResult_t queried = nccl_.CommGetAsyncError(comm_, &async_error);
          queried != ncclSuccess) {
        return Abort(NcclError(nccl_, queried, Pending() + " (ncclCommGetAsyncError)", comm_));
      }
      if (!Succeeded(async_error)) {
        return Abort(NcclError(nccl_, async_error, Pending() + " (asynchronous error)", comm_));
      }
      if (async_error == ncclSuccess) {
        const cudaError_t query = cudaStreamQuery(stream_);
        if (query == cudaSuccess) {
          enqueued_ = 0;
          return OkStatus();
        }
        if (query != cudaErrorNotReady) return Abort(CudaStatus(query, Pending()));
      }
      if (std::chrono::steady_clock::now() > deadline) {
        return Abort(DeadlineExceededError(Pending() + " did not complete within " +
                                           std::to_string(timeout_) +
                                           " s (a peer rank may have died or hung); the NCCL "
                                           "communicator was aborted"));
      }
      std::this_thread::yield();
    }
  }

  Status Abort(Status error) {
    nccl_.CommAbort(comm_);
    comm_ = nullptr;
    enqueued_ = 0;
    return error;
  }

  const NcclLibrary& nccl_;
  ncclComm_t comm_;
  cudaStream_t stream_;
  int device_;
  int rank_;
  int size_;
  double timeout_;
  void* barrier_ = nullptr;
  void* scratch_ = nullptr;
  std::size_t scratch_bytes_ = 0;
  bool asynchronous_ = false;
  std::size_t enqueued_ = 0;   // operations enqueued since the last completed wait
  std::string last_enqueued_;  // the latest of them, for the messages
};

}  // namespace

Result<std::unique_ptr<Communicator>> MakeNcclCommunicator(Communicator& bootstrap, int device,
                                                           double timeout_seconds) {
  const int rank = bootstrap.rank();
  const int size = bootstrap.size();
  const NcclLibrary* nccl = nullptr;
  cudaStream_t stream = nullptr;
  ncclUniqueId id{};
  const Status local = [&]() -> Status {
    LEPTON_ASSIGN_OR_RETURN(nccl, LoadNcclLibrary());
    LEPTON_ASSIGN_OR_RETURN(const int count, CudaDeviceCount());
    if (device < 0 || device >= count) {
      return UnavailableError(
          "its GPU would be CUDA device " + std::to_string(device) +
          " (its local rank on the node), but it sees " + std::to_string(count) +
          " device(s): start at most one rank per GPU on each node (NCCL refuses two ranks on "
          "one GPU)");
    }
    LEPTON_RETURN_IF_ERROR(CudaStatus(cudaSetDevice(device), "cudaSetDevice"));
    LEPTON_RETURN_IF_ERROR(CudaStatus(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking),
                                      "cudaStreamCreateWithFlags"));
    if (rank == 0) {
      if (const ncclResult_t made = nccl->GetUniqueId(&id); made != ncclSuccess) {
        return NcclError(*nccl, made, "ncclGetUniqueId");
      }
    }
    return OkStatus();
  }();
  const auto release = [&stream] {
    if (stream != nullptr) (void)cudaStreamDestroy(stream);
  };

  // Every rank learns every rank's reason, so none goes on into ncclCommInitRank alone.
  const std::string reason = local.ok() ? std::string() : local.ToString();
  auto reasons = AllGatherStrings(bootstrap, reason, kMaxReasonBytes);
  if (!reasons) {
    release();
    return std::unexpected(reasons.error().WithContext("agreeing on NCCL's set-up over " +
                                                       std::string(bootstrap.name())));
  }
  std::string failed;
  bool all_unavailable = true;
  for (std::size_t r = 0; r < reasons->size(); ++r) {
    if ((*reasons)[r].empty()) continue;
    failed += (failed.empty() ? "" : "; ") + std::string("rank ") + std::to_string(r) + ": " +
              (*reasons)[r];
    all_unavailable = all_unavailable && (*reasons)[r].starts_with("UNAVAILABLE");
  }
  if (!failed.empty()) {
    release();
    std::string message = "NCCL could not be set up on every rank (" + failed + ")";
    return std::unexpected(all_unavailable ? UnavailableError(std::move(message))
                                           : InternalError(std::move(message)));
  }

  // ncclUniqueId is 128 opaque bytes; the bootstrap moves them as int64 words.
  static_assert(sizeof(ncclUniqueId) % sizeof(std::int64_t) == 0);
  std::array<std::int64_t, sizeof(ncclUniqueId) / sizeof(std::int64_t)> words{};
  std::memcpy(words.data(), &id, sizeof(id));
  if (Status sent =
          bootstrap.Broadcast(words.data(), words.data(), words.size(), DataType::kInt64, 0);
      !sent.ok()) {
    release();
    return std::unexpected(sent.WithContext("broadcasting the ncclUniqueId"));
  }
  std::memcpy(&id, words.data(), sizeof(id));

  ncclComm_t comm = nullptr;
  if (const ncclResult_t init = nccl->CommInitRank(&comm, size, id, rank); init != ncclSuccess) {
    release();
    return std::unexpected(NcclError(*nccl, init,
                                     "rank " + std::to_string(rank) + ": ncclCommInitRank of " +
                                         std::to_string(size) + " ranks on CUDA device " +
                                         std::to_string(device)));
  }
  return std::make_unique<NcclCommunicator>(*nccl, comm, stream, device, rank, size,
                                            timeout_seconds);
}

}  // namespace lepton::bench::cuda
