#include "bench/comm/mpi/mpi_communicator.h"

#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bench/comm/bfloat16.h"
#include "bench/comm/collective_watchdog.h"

namespace lepton::bench {
namespace {

std::string MpiErrorText(int code) {
  std::string text(MPI_MAX_ERROR_STRING, '\0');
  int length = 0;
  if (MPI_Error_string(code, text.data(), &length) != MPI_SUCCESS) {
    return "MPI error " + std::to_string(code);
  }
  text.resize(static_cast<std::size_t>(length));
  return text;
}

// Out of line and cold: the success path of every collective is one comparison.
[[gnu::cold, gnu::noinline]] Status MpiError(int code, std::string_view operation) {
  return InternalError(std::string(operation) + ": " + MpiErrorText(code));
}

Status Check(int code, std::string_view operation) {
  if (code == MPI_SUCCESS) [[likely]] {
    return OkStatus();
  }
  return MpiError(code, operation);
}

// MPI has no bfloat16: a committed 2-byte type, and sum, max and min as user operations
// (commutative) that compute in float32 and round back to bf16, as a bf16 reduction does.
struct Bfloat16Support {
  MPI_Datatype type = MPI_DATATYPE_NULL;
  MPI_Op sum = MPI_OP_NULL;
  MPI_Op max = MPI_OP_NULL;
  MPI_Op min = MPI_OP_NULL;
};

template <typename Combine>
void Bfloat16Elementwise(const void* in, void* inout, const int* length, Combine combine) {
  const auto* a = static_cast<const std::uint16_t*>(in);
  auto* b = static_cast<std::uint16_t*>(inout);
  for (int i = 0; i < *length; ++i) {
    b[i] = FloatToBfloat16(combine(Bfloat16ToFloat(a[i]), Bfloat16ToFloat(b[i])));
  }
}

void Bfloat16Sum(void* in, void* inout, int* length, MPI_Datatype* /*type*/) {
  Bfloat16Elementwise(in, inout, length, [](float a, float b) { return a + b; });
}
void Bfloat16Max(void* in, void* inout, int* length, MPI_Datatype* /*type*/) {
  Bfloat16Elementwise(in, inout, length, [](float a, float b) { return std::max(a, b); });
}
void Bfloat16Min(void* in, void* inout, int* length, MPI_Datatype* /*type*/) {
  Bfloat16Elementwise(in, inout, length, [](float a, float b) { return std::min(a, b); });
}

void FreeBfloat16Support(Bfloat16Support& bf16) {
  for (MPI_Op* op : {&bf16.sum, &bf16.max, &bf16.min}) {
    if (*op != MPI_OP_NULL) MPI_Op_free(op);
  }
  if (bf16.type != MPI_DATATYPE_NULL) MPI_Type_free(&bf16.type);
}

Result<Bfloat16Support> MakeBfloat16Support() {
  Bfloat16Support bf16;
  Status made = Check(MPI_Type_contiguous(2, MPI_BYTE, &bf16.type), "MPI_Type_contiguous (bf16)");
  if (made.ok()) made = Check(MPI_Type_commit(&bf16.type), "MPI_Type_commit (bf16)");
  if (made.ok())
    made = Check(MPI_Op_create(&Bfloat16Sum, 1, &bf16.sum), "MPI_Op_create (bf16 sum)");
  if (made.ok())
    made = Check(MPI_Op_create(&Bfloat16Max, 1, &bf16.max), "MPI_Op_create (bf16 max)");
  if (made.ok())
    made = Check(MPI_Op_create(&Bfloat16Min, 1, &bf16.min), "MPI_Op_create (bf16 min)");
  if (!made.ok()) {
    FreeBfloat16Support(bf16);
    return std::unexpected(made);
  }
  return bf16;
}

// MPI counts are int; larger messages would need derived datatypes, which no spec asks for yet.
[[gnu::cold, gnu::noinline]] Status CountTooLarge(std::size_t count, std::string_view operation) {
  return InvalidArgumentError(std::string(operation) + ": " + std::to_string(count) +
                              " elements exceed MPI's int count");
}

Result<int> ToCount(std::size_t count, std::string_view operation) {
  if (count > static_cast<std::size_t>(INT_MAX)) [[unlikely]] {
    return std::unexpected(CountTooLarge(count, operation));
  }
  return static_cast<int>(count);
}

const std::byte* Offset(const void* base, std::size_t elements, DataType type) {
  return static_cast<const std::byte*>(base) + elements * DataTypeSize(type);
}

// The watchdog's scope for one operation, when there is a watchdog (several ranks).
class Watched {
 public:
  Watched(CollectiveWatchdog* watchdog, const char* operation, std::size_t count,
          bool timed = true) {
    if (watchdog != nullptr) scope_.emplace(*watchdog, operation, count, timed);
  }

 private:
  std::optional<CollectiveWatchdog::Scope> scope_;
};

class MpiCommunicator final : public Communicator {
 public:
  MpiCommunicator(MPI_Comm comm, Bfloat16Support bf16, bool finalize_on_destruction)
      : comm_(comm), bf16_(bf16), finalize_(finalize_on_destruction) {
    MPI_Comm_rank(comm_, &rank_);
    MPI_Comm_size(comm_, &size_);
    // Alone, nothing can wait for a peer.
    if (size_ > 1) {
      watchdog_.emplace(rank_, CollectiveTimeoutFromEnvironment());
      watchdog_->ReportSignals();
    }
  }
  MpiCommunicator(const MpiCommunicator&) = delete;
  MpiCommunicator& operator=(const MpiCommunicator&) = delete;
  ~MpiCommunicator() override {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (finalized == 0) FreeBfloat16Support(bf16_);
    MPI_Comm_free(&comm_);
    if (finalize_ && finalized == 0) MPI_Finalize();
  }

  [[nodiscard]] std::string_view name() const override { return "mpi"; }
  [[nodiscard]] int rank() const override { return rank_; }
  [[nodiscard]] int size() const override { return size_; }

  Status AllReduce(const void* send, void* recv, std::size_t count, DataType type,
                   ReduceOp op) override {
    LEPTON_ASSIGN_OR_RETURN(const int n, ToCount(count, "MPI_Allreduce"));
    const void* source = send == recv ? MPI_IN_PLACE : send;
    const Watched watched(Watchdog(), "MPI_Allreduce", count);
    return Check(MPI_Allreduce(source, recv, n, ToMpi(type), ToMpi(op, type), comm_),
                 "MPI_Allreduce");
  }

  Status AllGather(const void* send, void* recv, std::size_t count, DataType type) override {
    LEPTON_ASSIGN_OR_RETURN(const int n, ToCount(count, "MPI_Allgather"));
    const bool in_place = send == Offset(recv, RankOffset(count), type);
    const Watched watched(Watchdog(), "MPI_Allgather", count);
    return Check(
        MPI_Allgather(in_place ? MPI_IN_PLACE : send, n, ToMpi(type), recv, n, ToMpi(type), comm_),
        "MPI_Allgather");
  }

  Status ReduceScatter(const void* send, void* recv, std::size_t count, DataType type,
                       ReduceOp op) override {
    LEPTON_ASSIGN_OR_RETURN(const int n, ToCount(count, "MPI_Reduce_scatter_block"));
    const bool in_place = recv == Offset(send, RankOffset(count), type);
    const Watched watched(Watchdog(), "MPI_Reduce_scatter_block", count);
    if (!in_place) {
      return Check(MPI_Reduce_scatter_block(send, recv, n, ToMpi(type), ToMpi(op, type), comm_),
                   "MPI_Reduce_scatter_block");
    }
    // MPI's in-place form leaves block `rank` at the start of the buffer; NCCL's convention
    // wants it in the rank's own slot, so it is moved there (part of the measured time).
    // recv lies inside send (this rank's slot), so the buffer's start is reached from recv.
    std::byte* buffer = static_cast<std::byte*>(recv) - RankOffset(count) * DataTypeSize(type);
    LEPTON_RETURN_IF_ERROR(Check(
        MPI_Reduce_scatter_block(MPI_IN_PLACE, buffer, n, ToMpi(type), ToMpi(op, type), comm_),
        "MPI_Reduce_scatter_block"));
    if (rank_ != 0) std::memmove(recv, buffer, count * DataTypeSize(type));
    return OkStatus();
  }

  Status Broadcast(const void* send, void* recv, std::size_t count, DataType type,
                   int root) override {
    LEPTON_RETURN_IF_ERROR(CheckPeer("broadcast root", root));
    LEPTON_ASSIGN_OR_RETURN(const int n, ToCount(count, "MPI_Bcast"));
    if (rank_ == root && send != recv) std::memcpy(recv, send, count * DataTypeSize(type));
    const Watched watched(Watchdog(), "MPI_Bcast", count);
    return Check(MPI_Bcast(recv, n, ToMpi(type), root, comm_), "MPI_Bcast");
  }

  Status Reduce(const void* send, void* recv, std::size_t count, DataType type, ReduceOp op,
                int root) override {
    LEPTON_RETURN_IF_ERROR(CheckPeer("reduce root", root));
    LEPTON_ASSIGN_OR_RETURN(const int n, ToCount(count, "MPI_Reduce"));
    const void* source = rank_ == root && send == recv ? MPI_IN_PLACE : send;
    const Watched watched(Watchdog(), "MPI_Reduce", count);
    return Check(MPI_Reduce(source, recv, n, ToMpi(type), ToMpi(op, type), root, comm_),
                 "MPI_Reduce");
  }

  Status AllToAll(const void* send, void* recv, std::size_t count, DataType type) override {
    LEPTON_ASSIGN_OR_RETURN(const int n, ToCount(count, "MPI_Alltoall"));
    const void* source = send == recv ? MPI_IN_PLACE : send;
    const Watched watched(Watchdog(), "MPI_Alltoall", count);
    return Check(MPI_Alltoall(source, n, ToMpi(type), recv, n, ToMpi(type), comm_), "MPI_Alltoall");
  }

  Status SendRecv(const void* send, int send_to, void* recv, int recv_from, std::size_t count,
                  DataType type) override {
    LEPTON_RETURN_IF_ERROR(CheckPeer("send to", send_to));
    LEPTON_RETURN_IF_ERROR(CheckPeer("receive from", recv_from));
    LEPTON_ASSIGN_OR_RETURN(const int n, ToCount(count, "MPI_Sendrecv"));
    const int dest = send_to;
    const int source = recv_from;
    constexpr int sendtag = 0;
    constexpr int recvtag = 0;
    const Watched watched(Watchdog(), "MPI_Sendrecv", count);
    if (send == recv) {
      return Check(MPI_Sendrecv_replace(recv, n, ToMpi(type), dest, sendtag, source, recvtag, comm_,
                                        MPI_STATUS_IGNORE),
                   "MPI_Sendrecv_replace");
    }
    return Check(MPI_Sendrecv(send, n, ToMpi(type), dest, sendtag, recv, n, ToMpi(type), source,
                              recvtag, comm_, MPI_STATUS_IGNORE),
                 "MPI_Sendrecv");
  }

  Status Barrier() override {
    MPI_Request request = MPI_REQUEST_NULL;
    // Not timed: ranks wait here for as long as rank 0 runs its single-rank workloads.
    const Watched watched(Watchdog(), "MPI_Ibarrier (waiting for the other ranks)", 0, false);
    LEPTON_RETURN_IF_ERROR(Check(MPI_Ibarrier(comm_, &request), "MPI_Ibarrier"));
    // A blocking MPI_Barrier busy-polls; a rank that waits for rank 0 to finish a single-rank
    // workload would take a core from it. Polling every 200 us costs at most that much skew.
    for (;;) {
      int done = 0;
      LEPTON_RETURN_IF_ERROR(Check(MPI_Test(&request, &done, MPI_STATUS_IGNORE), "MPI_Test"));
      if (done != 0) return OkStatus();
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  }

 private:
  // Checked here: Open MPI's own argument checks can be compiled out.
  [[nodiscard]] Status CheckPeer(std::string_view what, int peer) const {
    if (peer >= 0 && peer < size_) return OkStatus();
    return InvalidArgumentError(std::string(what) + " rank " + std::to_string(peer) +
                                " is outside the " + std::to_string(size_) + " ranks");
  }

  CollectiveWatchdog* Watchdog() { return watchdog_ ? &*watchdog_ : nullptr; }

  [[nodiscard]] MPI_Datatype ToMpi(DataType type) const {
    switch (type) {
      case DataType::kFloat32:
        return MPI_FLOAT;
      case DataType::kFloat64:
        return MPI_DOUBLE;
      case DataType::kInt64:
        return MPI_INT64_T;
      case DataType::kBfloat16:
        return bf16_.type;
    }
    return MPI_DATATYPE_NULL;
  }

  [[nodiscard]] MPI_Op ToMpi(ReduceOp op, DataType type) const {
    const bool bf16 = type == DataType::kBfloat16;
    switch (op) {
      case ReduceOp::kSum:
        return bf16 ? bf16_.sum : MPI_SUM;
      case ReduceOp::kMax:
        return bf16 ? bf16_.max : MPI_MAX;
      case ReduceOp::kMin:
        return bf16 ? bf16_.min : MPI_MIN;
    }
    return MPI_OP_NULL;
  }

  [[nodiscard]] std::size_t RankOffset(std::size_t count) const {
    return static_cast<std::size_t>(rank_) * count;
  }

  MPI_Comm comm_;
  Bfloat16Support bf16_;
  bool finalize_;
  int rank_ = 0;
  int size_ = 1;
  std::optional<CollectiveWatchdog> watchdog_;
};

}  // namespace

Result<std::unique_ptr<Communicator>> MakeMpiWorldCommunicator() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized != 0) {
    return std::unexpected(FailedPreconditionError("MPI was already finalized in this process"));
  }
  int initialized = 0;
  MPI_Initialized(&initialized);
  const bool initialize = initialized == 0;
  if (initialize) {
    int provided = 0;
    LEPTON_RETURN_IF_ERROR(Check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided),
                                 "MPI_Init_thread"));
  }
  MPI_Comm comm = MPI_COMM_NULL;
  LEPTON_RETURN_IF_ERROR(Check(MPI_Comm_dup(MPI_COMM_WORLD, &comm), "MPI_Comm_dup"));
  // Errors come back as codes (turned into Status) instead of aborting the job.
  LEPTON_RETURN_IF_ERROR(
      Check(MPI_Comm_set_errhandler(comm, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler"));
  auto bf16 = MakeBfloat16Support();
  if (!bf16) {
    MPI_Comm_free(&comm);
    return std::unexpected(bf16.error());
  }
  return std::make_unique<MpiCommunicator>(comm, *bf16, initialize);
}

}  // namespace lepton::bench
