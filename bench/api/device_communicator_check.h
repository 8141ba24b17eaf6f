#pragma once
// For a workload on devices: cuda whose collectives go through NCCL with one rank per process
// (comm: nccl): the context must carry the device communicator and this rank's device memory,
// and the device communicator must span the run's ranks in the same order as `host`, the run's
// communicator, because the workload times and combines over one and measures over the other.

#include <string>
#include <string_view>

#include "bench/api/communicator.h"
#include "bench/api/workload.h"
#include "conformance/core/status.h"

namespace lepton::bench {

// `needs_nccl` says what goes over NCCL, e.g. "the collectives on devices: cuda run": without
// the device communicator, Unavailable "NEEDS_NCCL over NCCL, which only a profile with comm:
// nccl or comm: nccl-local sets up"; ranks that differ from `host`'s are an Internal error.
inline Status CheckDeviceCommunicator(const WorkloadContext& context, const Communicator& host,
                                      std::string_view needs_nccl) {
  if (context.device_communicator == nullptr || context.device_memory == nullptr) {
    return UnavailableError(std::string(needs_nccl) +
                            " over NCCL, which only a profile with comm: nccl or comm: "
                            "nccl-local sets up");
  }
  const Communicator& device = *context.device_communicator;
  if (device.size() != host.size() || device.rank() != host.rank()) {
    return InternalError("the device communicator (rank " + std::to_string(device.rank()) + " of " +
                         std::to_string(device.size()) + ") does not match the run's (rank " +
                         std::to_string(host.rank()) + " of " + std::to_string(host.size()) + ")");
  }
  return OkStatus();
}

}  // namespace lepton::bench
