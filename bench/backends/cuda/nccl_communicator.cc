#include "bench/backends/cuda/nccl_communicator.h"

#include <cuda_runtime.h>
#include <nccl.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "bench/backends/cuda/cuda_device_memory.h"
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

// One rank: alone in its process (MakeNcclCommunicator), or `grouped`, one of the ranks of a
// single-process group (NcclLocalGroup below), which then owns every wait: a grouped rank's
// calls are accepted only inside the group's GroupStart/GroupEnd and only enqueue (no wait, no
// in-flight cap: nothing launches before ncclGroupEnd, so a wait there would never end), an
// error inside the group is kept for GroupEnd to abort every rank, and Barrier and its own
// Synchronize are refused.
class NcclCommunicator final : public Communicator {
 public:
  NcclCommunicator(const NcclLibrary& nccl, ncclComm_t comm, cudaStream_t stream, int device,
                   int rank, int size, double timeout_seconds, bool grouped = false)
      : nccl_(nccl),
        comm_(comm),
        stream_(stream),
        device_(device),
        rank_(rank),
        size_(size),
        timeout_(timeout_seconds),
        grouped_(grouped),
        asynchronous_(grouped),
        label_(grouped ? "rank " + std::to_string(rank) + " (CUDA device " +
                             std::to_string(device) + ")"
                       : "rank " + std::to_string(rank)) {}
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
    for (void* retired : retired_) (void)cudaFree(retired);
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
    if (grouped_) {
      return FailedPreconditionError(label_ +
                                     ": a rank of a single-process group has no barrier of its "
                                     "own (one thread drives every rank: synchronize the group)");
    }
    LEPTON_RETURN_IF_ERROR(Begin());
    if (barrier_ == nullptr) {
      LEPTON_RETURN_IF_ERROR(
          CudaStatus(cudaMalloc(&barrier_, sizeof(std::int64_t)), "cudaMalloc (barrier)"));
    }
    return Finish(nccl_.AllReduce(barrier_, barrier_, 1, ncclInt64, ncclSum, comm_, stream_),
                  "barrier (ncclAllReduce)", 1, /*wait=*/true);
  }

  // A grouped rank is always asynchronous.
  void SetAsynchronous(bool on) override { asynchronous_ = on || grouped_; }
  [[nodiscard]] bool asynchronous() const override { return asynchronous_; }
  // Waits for everything enqueued since the last wait, under the watchdog.
  Status Synchronize() override {
    if (grouped_) {
      return FailedPreconditionError(
          label_ +
          ": a rank of a single-process group waits only with the whole group "
          "(CommunicatorGroup::Synchronize)");
    }
    LEPTON_RETURN_IF_ERROR(Begin());
    return Wait();
  }

  // For the group (grouped ranks only).
  [[nodiscard]] int device() const { return device_; }
  [[nodiscard]] bool aborted() const { return comm_ == nullptr; }
  [[nodiscard]] std::size_t enqueued() const { return enqueued_; }
  void SetInGroup(bool in_group) { in_group_ = in_group; }
  // One look at the operations in flight, without waiting: true when all completed (the retired
  // staging buffers are then freed); an asynchronous error or a failed stream aborts.
  Result<bool> Poll() {
    if (comm_ == nullptr) {
      return std::unexpected(FailedPreconditionError(
          label_ + ": the NCCL communicator was aborted by an earlier error"));
    }
    ncclResult_t async_error = ncclSuccess;
    if (const ncclResult_t queried = nccl_.CommGetAsyncError(comm_, &async_error);
        queried != ncclSuccess) {
      return std::unexpected(
          Abort(NcclError(nccl_, queried, Pending() + " (ncclCommGetAsyncError)", comm_)));
    }
    if (!Succeeded(async_error)) {
      return std::unexpected(
          Abort(NcclError(nccl_, async_error, Pending() + " (asynchronous error)", comm_)));
    }
    if (async_error != ncclSuccess) return false;
    const cudaError_t query = cudaStreamQuery(stream_);
    if (query == cudaErrorNotReady) return false;
    if (query != cudaSuccess) return std::unexpected(Abort(CudaStatus(query, Pending())));
    enqueued_ = 0;
    for (void* retired : retired_) (void)cudaFree(retired);
    retired_.clear();
    return true;
  }
  // "rank 0: ncclAllReduce of 2 elements", or with several in flight "rank 0: 20 operations
  // enqueued since the last wait (the last: ncclAllReduce of 2 elements)".
  [[nodiscard]] std::string Pending() const {
    std::string text = label_ + ": ";
    if (enqueued_ <= 1) return text + (enqueued_ == 1 ? last_enqueued_ : "no operation in flight");
    return text + std::to_string(enqueued_) +
           " operations enqueued since the last wait (the last: " + last_enqueued_ + ")";
  }
  Status Abort(Status error) {
    if (comm_ != nullptr) nccl_.CommAbort(comm_);
    comm_ = nullptr;
    enqueued_ = 0;
    return error;
  }
  // Hands the communicator to the group for its collective teardown (finalize in one group,
  // then destroy); the rest is freed by the destructor.
  ncclComm_t Release() {
    enqueued_ = 0;
    return std::exchange(comm_, nullptr);
  }

 private:
  [[nodiscard]] Status CheckPeer(std::string_view what, int peer) const {
    if (peer >= 0 && peer < size_) return OkStatus();
    return InvalidArgumentError(std::string(what) + " rank " + std::to_string(peer) +
                                " is outside the " + std::to_string(size_) + " ranks");
  }

  // The communicator's device current on this thread; refuses once aborted, and a grouped
  // rank's call outside the group's GroupStart/GroupEnd.
  Status Begin() {
    if (comm_ == nullptr) {
      return FailedPreconditionError("the NCCL communicator was aborted by an earlier error");
    }
    if (grouped_ && !in_group_) {
      return FailedPreconditionError(
          label_ +
          ": a rank of a single-process group is called only between the group's "
          "GroupStart and GroupEnd");
    }
    return CudaStatus(cudaSetDevice(device_), "cudaSetDevice");
  }

  // `source` copied on the stream into the scratch buffer (grown as needed); the copy.
  Result<const void*> Stage(const void* source, std::size_t bytes) {
    if (bytes > scratch_bytes_) {
      if (scratch_ != nullptr && grouped_) {
        // Inside an open group nothing may wait: the old buffer is freed after the group's
        // next completed wait.
        retired_.push_back(scratch_);
        scratch_ = nullptr;
        scratch_bytes_ = 0;
      } else if (scratch_ != nullptr) {
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
    if (grouped_) {
      // Inside the group: no wait and no abort here (the other ranks' calls of this group are
      // not launched yet); the group's GroupEnd aborts every rank when one failed.
      if (!Succeeded(enqueued)) {
        return NcclError(nccl_, enqueued, label_ + ": " + what, comm_);
      }
      ++enqueued_;
      last_enqueued_ = what;
      return OkStatus();
    }
    if (enqueued == ncclInvalidArgument || enqueued == ncclInvalidUsage) {
      // Nothing was enqueued; still usable.
      return NcclError(nccl_, enqueued, label_ + ": " + what, comm_);
    }
    if (!Succeeded(enqueued)) {
      return Abort(NcclError(nccl_, enqueued, label_ + ": " + what, comm_));
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

  // Waits for every enqueued operation; the watchdog: asynchronous NCCL errors (a peer that died
  // breaks the connection) and the deadline (`timeout_` from the start of this wait) both abort
  // the communicator. ncclCommGetAsyncError must say ncclSuccess (not ncclInProgress) before the
  // stream holds the whole operation.
  Status Wait() {
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                              std::chrono::duration<double>(timeout_));
    for (;;) {
      LEPTON_ASSIGN_OR_RETURN(const bool done, Poll());
      if (done) return OkStatus();
      if (std::chrono::steady_clock::now() > deadline) {
        return Abort(DeadlineExceededError(Pending() + " did not complete within " +
                                           std::to_string(timeout_) +
                                           " s (a peer rank may have died or hung); the NCCL "
                                           "communicator was aborted"));
      }
      std::this_thread::yield();
    }
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
  bool grouped_;
  bool asynchronous_;
  std::string label_;           // "rank 1", grouped "rank 1 (CUDA device 1)"
  bool in_group_ = false;       // grouped: between the group's GroupStart and GroupEnd
  std::vector<void*> retired_;  // grouped: staging buffers freed after the next completed wait
  std::size_t enqueued_ = 0;    // operations enqueued since the last completed wait
  std::string last_enqueued_;   // the latest of them, for the messages
};

// A grouped rank as the group hands it out: every call goes to the rank, and the first one that
// fails while the group is open (a peer outside the ranks, a failed staging allocation, an
// enqueue error) is kept, so GroupEnd aborts every rank instead of launching the others' halves
// of an operation this rank never joined.
class GroupRank final : public Communicator {
 public:
  GroupRank(std::unique_ptr<NcclCommunicator> rank, const bool& group_open)
      : rank_(std::move(rank)), group_open_(group_open) {}

  NcclCommunicator& inner() { return *rank_; }
  Status TakeFailure() { return std::exchange(failed_, OkStatus()); }

  [[nodiscard]] std::string_view name() const override { return rank_->name(); }
  [[nodiscard]] int rank() const override { return rank_->rank(); }
  [[nodiscard]] int size() const override { return rank_->size(); }
  Status AllReduce(const void* send, void* recv, std::size_t count, DataType type,
                   ReduceOp op) override {
    return Note(rank_->AllReduce(send, recv, count, type, op));
  }
  Status AllGather(const void* send, void* recv, std::size_t count, DataType type) override {
    return Note(rank_->AllGather(send, recv, count, type));
  }
  Status ReduceScatter(const void* send, void* recv, std::size_t count, DataType type,
                       ReduceOp op) override {
    return Note(rank_->ReduceScatter(send, recv, count, type, op));
  }
  Status Broadcast(const void* send, void* recv, std::size_t count, DataType type,
                   int root) override {
    return Note(rank_->Broadcast(send, recv, count, type, root));
  }
  Status Reduce(const void* send, void* recv, std::size_t count, DataType type, ReduceOp op,
                int root) override {
    return Note(rank_->Reduce(send, recv, count, type, op, root));
  }
  Status AllToAll(const void* send, void* recv, std::size_t count, DataType type) override {
    return Note(rank_->AllToAll(send, recv, count, type));
  }
  Status SendRecv(const void* send, int send_to, void* recv, int recv_from, std::size_t count,
                  DataType type) override {
    return Note(rank_->SendRecv(send, send_to, recv, recv_from, count, type));
  }
  Status Barrier() override { return rank_->Barrier(); }
  void SetAsynchronous(bool on) override { rank_->SetAsynchronous(on); }
  [[nodiscard]] bool asynchronous() const override { return rank_->asynchronous(); }
  Status Synchronize() override { return rank_->Synchronize(); }

 private:
  Status Note(Status status) {
    if (!status.ok() && group_open_ && failed_.ok()) failed_ = status;
    return status;
  }

  std::unique_ptr<NcclCommunicator> rank_;
  const bool& group_open_;
  Status failed_;  // the first failed call of the open group
};

// NCCL's single-process mode: one communicator per local GPU from ncclCommInitAll, each on its
// own stream, driven from one thread through group calls (bench/api/communicator_group.h).
class NcclLocalGroup final : public CommunicatorGroup {
 public:
  NcclLocalGroup(const NcclLibrary& nccl, double timeout_seconds)
      : nccl_(nccl), timeout_(timeout_seconds) {}
  NcclLocalGroup(const NcclLocalGroup&) = delete;
  NcclLocalGroup& operator=(const NcclLocalGroup&) = delete;
  // Operations left in flight are waited for under the watchdog (which aborts every rank when
  // they hang); then the communicators are finalized together in one group (each one's
  // ncclCommFinalize waits for its peers, so one thread finalizing them one by one would wait
  // for ranks it has not reached yet) and destroyed.
  ~NcclLocalGroup() override {
    if (open_) (void)GroupEnd();
    bool in_flight = false;
    for (const auto& rank : ranks_) in_flight = in_flight || (!rank->aborted() && rank->enqueued());
    if (in_flight) (void)Synchronize();
    std::vector<std::pair<int, ncclComm_t>> comms;
    for (const auto& rank : ranks_) {
      if (!rank->aborted()) comms.emplace_back(rank->device(), rank->Release());
    }
    if (nccl_.CommFinalize != nullptr && !comms.empty()) {
      bool finalized = nccl_.GroupStart() == ncclSuccess;
      for (const auto& [device, comm] : comms) {
        (void)cudaSetDevice(device);
        finalized = nccl_.CommFinalize(comm) == ncclSuccess && finalized;
      }
      finalized = nccl_.GroupEnd() == ncclSuccess && finalized;
      if (!finalized) {
        // Whatever failed, abort rather than destroy: an unfinalized destroy could wait.
        for (const auto& [device, comm] : comms) {
          (void)cudaSetDevice(device);
          nccl_.CommAbort(comm);
        }
        comms.clear();
      }
    }
    for (const auto& [device, comm] : comms) {
      (void)cudaSetDevice(device);
      nccl_.CommDestroy(comm);
    }
  }

  void Add(std::unique_ptr<NcclCommunicator> rank, std::unique_ptr<DeviceMemory> memory) {
    handed_out_.push_back(std::make_unique<GroupRank>(std::move(rank), open_));
    ranks_.push_back(&handed_out_.back()->inner());
    memories_.push_back(std::move(memory));
  }

  [[nodiscard]] std::string_view name() const override {
    return "nccl (single process, ncclCommInitAll)";
  }
  [[nodiscard]] int size() const override { return static_cast<int>(ranks_.size()); }
  Communicator& communicator(int rank) override {
    return *handed_out_.at(static_cast<std::size_t>(rank));
  }
  DeviceMemory& memory(int rank) override { return *memories_.at(static_cast<std::size_t>(rank)); }

  Status GroupStart() override {
    if (open_) return FailedPreconditionError("the NCCL group is already open (GroupStart twice)");
    for (const auto& rank : ranks_) {
      if (rank->aborted()) {
        return FailedPreconditionError(
            "the single-process NCCL communicators were aborted by an earlier error");
      }
    }
    if (const ncclResult_t started = nccl_.GroupStart(); started != ncclSuccess) {
      return NcclError(nccl_, started, "ncclGroupStart");
    }
    open_ = true;
    for (const auto& rank : ranks_) rank->SetInGroup(true);
    return OkStatus();
  }

  // ncclGroupEnd launches every rank's calls. A failed call inside the group, or a failed
  // launch, aborts every rank: their peers' halves of the same operations may be in flight.
  Status GroupEnd() override {
    if (!open_) return FailedPreconditionError("GroupEnd without GroupStart");
    open_ = false;
    for (const auto& rank : ranks_) rank->SetInGroup(false);
    const ncclResult_t ended = nccl_.GroupEnd();
    Status failed;
    for (const auto& rank : handed_out_) {
      if (Status own = rank->TakeFailure(); failed.ok() && !own.ok()) failed = own;
    }
    if (failed.ok() && !Succeeded(ended)) {
      failed = NcclError(nccl_, ended, "ncclGroupEnd over " + std::to_string(size()) + " GPUs");
    }
    if (!failed.ok()) return AbortAll(failed.WithContext("inside an NCCL group call"));
    // The in-flight cap, counted per rank and checked only here, outside the group.
    std::size_t most = 0;
    for (const auto& rank : ranks_) most = std::max(most, rank->enqueued());
    if (most >= kMaxEnqueued) return Synchronize();
    return OkStatus();
  }

  // Polls every rank until all completed; the first error or the deadline aborts every rank.
  Status Synchronize() override {
    if (open_) {
      return FailedPreconditionError(
          "Synchronize inside an open NCCL group: nothing is launched before GroupEnd");
    }
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                              std::chrono::duration<double>(timeout_));
    std::vector<bool> done(ranks_.size(), false);
    for (;;) {
      bool all = true;
      for (std::size_t r = 0; r < ranks_.size(); ++r) {
        if (done[r]) continue;
        (void)cudaSetDevice(ranks_[r]->device());
        auto polled = ranks_[r]->Poll();
        if (!polled) return AbortAll(polled.error());
        done[r] = *polled;
        all = all && done[r];
      }
      if (all) return OkStatus();
      if (std::chrono::steady_clock::now() > deadline) {
        std::string pending;
        for (std::size_t r = 0; r < ranks_.size(); ++r) {
          if (!done[r]) pending += (pending.empty() ? "" : "; ") + ranks_[r]->Pending();
        }
        return AbortAll(DeadlineExceededError(
            pending + ": did not complete within " + std::to_string(timeout_) +
            " s; every NCCL communicator of the single-process group was aborted"));
      }
      std::this_thread::yield();
    }
  }

 private:
  Status AbortAll(Status error) {
    for (const auto& rank : ranks_) {
      (void)cudaSetDevice(rank->device());
      (void)rank->Abort(OkStatus());
    }
    return error;
  }

  const NcclLibrary& nccl_;
  double timeout_;
  bool open_ = false;
  std::vector<std::unique_ptr<GroupRank>> handed_out_;  // owns the ranks
  std::vector<NcclCommunicator*> ranks_;
  std::vector<std::unique_ptr<DeviceMemory>> memories_;
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

Result<std::unique_ptr<CommunicatorGroup>> MakeNcclLocalGroup(std::vector<int> devices,
                                                              double timeout_seconds,
                                                              DeviceWatch& watch) {
  // The device first: on a machine without a GPU that is the reason, whether NCCL is there or
  // not.
  LEPTON_ASSIGN_OR_RETURN(const int count, CudaDeviceCount());
  LEPTON_ASSIGN_OR_RETURN(const NcclLibrary* nccl, LoadNcclLibrary());
  if (devices.empty()) {
    for (int device = 0; device < count; ++device) devices.push_back(device);
  }
  for (std::size_t i = 0; i < devices.size(); ++i) {
    if (devices[i] < 0 || devices[i] >= count) {
      return std::unexpected(InvalidArgumentError("CUDA device " + std::to_string(devices[i]) +
                                                  " is not among the " + std::to_string(count) +
                                                  " this process sees"));
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (devices[j] == devices[i]) {
        return std::unexpected(InvalidArgumentError(
            "CUDA device " + std::to_string(devices[i]) +
            " is listed twice (NCCL runs one rank per GPU: \"Duplicate GPU detected\")"));
      }
    }
  }
  const int size = static_cast<int>(devices.size());
  std::vector<cudaStream_t> streams;
  std::vector<std::unique_ptr<DeviceMemory>> memories;
  const auto release = [&streams] {
    for (cudaStream_t stream : streams) (void)cudaStreamDestroy(stream);
  };
  for (const int device : devices) {
    auto memory = MakeCudaDeviceMemory(device, watch);
    if (!memory) {
      release();
      return std::unexpected(memory.error());
    }
    memories.push_back(std::move(*memory));
    cudaStream_t stream = nullptr;
    Status made = CudaStatus(cudaSetDevice(device), "cudaSetDevice");
    if (made.ok()) {
      made = CudaStatus(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking),
                        "cudaStreamCreateWithFlags");
    }
    if (!made.ok()) {
      release();
      return std::unexpected(made.WithContext("CUDA device " + std::to_string(device)));
    }
    streams.push_back(stream);
  }
  std::vector<ncclComm_t> comms(devices.size(), nullptr);
  if (const ncclResult_t init = nccl->CommInitAll(comms.data(), size, devices.data());
      init != ncclSuccess) {
    release();
    return std::unexpected(
        NcclError(*nccl, init, "ncclCommInitAll over " + std::to_string(size) + " GPUs"));
  }
  auto group = std::make_unique<NcclLocalGroup>(*nccl, timeout_seconds);
  for (int r = 0; r < size; ++r) {
    const auto i = static_cast<std::size_t>(r);
    group->Add(std::make_unique<NcclCommunicator>(*nccl, comms[i], streams[i], devices[i], r, size,
                                                  timeout_seconds, /*grouped=*/true),
               std::move(memories[i]));
  }
  return group;
}

}  // namespace lepton::bench::cuda
