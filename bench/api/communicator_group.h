#pragma once
// Several ranks driven by one process and one thread: NCCL's single-process mode over the local
// GPUs (ncclCommInitAll, one communicator per GPU; the CUDA module's
// CudaBackend::MakeNcclLocalGroup). One thread cannot block in one rank's collective while the
// others have not been called, so every operation is a group call: GroupStart, each rank's
// call, GroupEnd; nothing runs before GroupEnd, and nothing waits inside the group. The ranks'
// communicators are always asynchronous: their calls only enqueue, Synchronize() waits for
// every rank under the watchdog (an asynchronous error or a wait past the timeout aborts every
// rank and names the rank, its device and the operations), and only then may the buffers be
// read or written. A rank's call outside a group, a rank's Barrier and a rank's own
// Synchronize are refused (FailedPrecondition): the group's are the only waits.

#include <string>
#include <string_view>

#include "bench/api/communicator.h"
#include "bench/api/device_memory.h"
#include "conformance/core/status.h"

namespace lepton::bench {

class CommunicatorGroup {
 public:
  virtual ~CommunicatorGroup() = default;

  // Stated in the report as the collectives' `communicator`, e.g.
  // "nccl (single process, ncclCommInitAll)".
  [[nodiscard]] virtual std::string_view name() const = 0;
  // The number of ranks (one per device).
  [[nodiscard]] virtual int size() const = 0;
  // Local rank r's communicator (rank() == r, size() == size()) and its device's memory;
  // 0 <= r < size(). Both live as long as the group.
  [[nodiscard]] virtual Communicator& communicator(int rank) = 0;
  [[nodiscard]] virtual DeviceMemory& memory(int rank) = 0;

  // Opens a group (ncclGroupStart). Every GroupStart that succeeded must be closed by GroupEnd,
  // also when a call in between failed.
  virtual Status GroupStart() = 0;
  // Closes it (ncclGroupEnd): the calls of every rank are launched. When too many operations are
  // left in flight it waits for them (as Synchronize), so a full launch queue never blocks the
  // host where no watchdog runs. A rank's failed call inside the group makes GroupEnd abort
  // every rank.
  virtual Status GroupEnd() = 0;
  // Waits for every rank's operations; never inside an open group (FailedPrecondition).
  virtual Status Synchronize() = 0;
};

// For a workload handed a group (comm: nccl-local): the group is every rank, driven from this one
// process, so a run of several processes (`host`, the run's communicator, when there is one) is
// refused (FailedPrecondition); a group without a rank is an Internal error.
inline Status CheckGroupDrivesEveryRank(const CommunicatorGroup& group, const Communicator* host) {
  if (host != nullptr && host->size() != 1) {
    return FailedPreconditionError(
        "the single-process NCCL group (comm: nccl-local) runs in one process; this run has " +
        std::to_string(host->size()) + " ranks");
  }
  if (group.size() < 1) return InternalError("the single-process NCCL group has no rank");
  return OkStatus();
}

}  // namespace lepton::bench
