#pragma once
// One rank's view of a group of processes that run collectives together. Backends: `self` (one
// rank, no library), `mpi` (CPU, bench/comm/mpi/) and `nccl` (GPU, in the CUDA module:
// bench/backends/cuda/nccl_communicator.h, reached through CudaBackend; compiled,
// not yet run on a GPU). Buffers are untyped pointers with an element count and a DataType, as in
// NCCL, so one workload drives every backend. In-place follows NCCL's convention, which nccl-tests
// also uses:
//   AllReduce, Reduce, Broadcast, AllToAll: send == recv;
//   AllGather:     send == recv + rank * count  (this rank's slot of the gathered buffer);
//   ReduceScatter: recv == send + rank * count  (this rank's slot of the input).
// Every call is blocking (when it returns, recv holds the result on this rank) unless the
// communicator is asynchronous: see SetAsynchronous.
// One process driving several ranks (NCCL's single-process mode over the local GPUs) hands out
// one Communicator per rank through a CommunicatorGroup (communicator_group.h), whose group
// calls and single wait replace the ranks' own waits.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "conformance/core/status.h"

namespace lepton::bench {

// kBfloat16: bfloat16 (bench/comm/bfloat16.h; NCCL's ncclBfloat16; on MPI a 2-byte type with
// its own sum, max and min). Named "float32", "float64", "int64", "bf16".
enum class DataType { kFloat32, kFloat64, kInt64, kBfloat16 };
std::size_t DataTypeSize(DataType type);
std::string_view DataTypeName(DataType type);

enum class ReduceOp { kSum, kMax, kMin };
std::string_view ReduceOpName(ReduceOp op);

class Communicator {
 public:
  virtual ~Communicator() = default;

  // "self", "mpi" or "nccl": stated in the report next to the number of ranks.
  [[nodiscard]] virtual std::string_view name() const = 0;
  [[nodiscard]] virtual int rank() const = 0;
  [[nodiscard]] virtual int size() const = 0;

  // recv[i] = op over ranks of send[i], i < count, on every rank.
  virtual Status AllReduce(const void* send, void* recv, std::size_t count, DataType type,
                           ReduceOp op) = 0;
  // recv[r * count + i] = send_r[i]: every rank's `count` elements, in rank order.
  virtual Status AllGather(const void* send, void* recv, std::size_t count, DataType type) = 0;
  // recv[i] = op over ranks of send[rank * count + i]: rank r gets block r of the reduction.
  virtual Status ReduceScatter(const void* send, void* recv, std::size_t count, DataType type,
                               ReduceOp op) = 0;
  // recv[i] = send_root[i] on every rank (send is read on the root only).
  virtual Status Broadcast(const void* send, void* recv, std::size_t count, DataType type,
                           int root) = 0;
  // On the root, recv[i] = op over ranks of send[i]; recv is not written on other ranks.
  virtual Status Reduce(const void* send, void* recv, std::size_t count, DataType type, ReduceOp op,
                        int root) = 0;
  // recv[r * count + i] = send_r[rank * count + i]: block `rank` of every rank's send buffer.
  virtual Status AllToAll(const void* send, void* recv, std::size_t count, DataType type) = 0;
  // Sends `count` elements to rank `send_to` and receives `count` from `recv_from`, at once.
  virtual Status SendRecv(const void* send, int send_to, void* recv, int recv_from,
                          std::size_t count, DataType type) = 0;
  // Returns when every rank has called it. Waiting ranks poll with pauses instead of spinning,
  // so a rank that waits does not take a core from a rank that measures. Always blocking: it
  // also waits for every operation enqueued before it.
  virtual Status Barrier() = 0;

  // Asynchronous mode, so a run of operations is timed as nccl-tests times it (enqueue them all,
  // wait once). On a backend that can enqueue (NCCL: on the communicator's stream) and with the
  // mode on, an operation returns once it is enqueued, not completed; Synchronize() waits for
  // all of them under the same watchdog and timeout a blocking call has (an asynchronous error
  // or a wait past the timeout aborts the communicator and names the rank and the operations),
  // and only then may the buffers they use be read or written. A blocking call (the mode off, or
  // Barrier) also waits for everything enqueued before it. Backends that cannot enqueue (self,
  // MPI) stay blocking: the mode changes nothing and Synchronize returns at once. Off initially.
  virtual void SetAsynchronous(bool /*on*/) {}
  [[nodiscard]] virtual bool asynchronous() const { return false; }
  virtual Status Synchronize() { return OkStatus(); }
};

}  // namespace lepton::bench
