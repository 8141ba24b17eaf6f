#pragma once
// The NCCL communicator (GPU buffers, one GPU per rank), moved here from bench/comm/nccl/ so
// that lepton-cert links no CUDA or NCCL library: reached through CudaBackend::
// MakeNcclCommunicator. Rank 0 makes the ncclUniqueId and the bootstrap communicator (MPI under
// mpirun/srun, self alone) broadcasts it. Every call enqueues on the communicator's stream and,
// blocking (the default), waits, polling ncclCommGetAsyncError and the stream; an asynchronous
// error or a wait past `timeout_seconds` aborts the communicator (ncclCommAbort) and returns the
// error naming the rank and the operation, so a rank whose peer died does not hang. In
// asynchronous mode (Communicator::SetAsynchronous) calls only enqueue, looking once for an
// asynchronous error, and Synchronize() is that same watched wait over all of them, as
// nccl-tests enqueues its timed iterations and synchronizes once; at most 128 are left in
// flight (the next call waits), so a full launch queue never blocks the host unwatched.
//
// Before ncclCommInitRank the ranks agree over the bootstrap that every one of them could load
// NCCL, select its device and (rank 0) make the id; when one could not, all return an error
// naming the ranks that failed, instead of waiting in ncclCommInitRank for a rank that will
// never come. A failure inside ncclCommInitRank itself (the network) is not covered: a rank that
// dies there is ended by the launcher (mpirun aborts the job; srun --kill-on-bad-exit=1).
//
// The single-process mode over the local GPUs (MakeNcclLocalGroup, bench/api/
// communicator_group.h): one communicator per GPU from ncclCommInitAll, each on its own stream
// and always asynchronous, driven from one thread through group calls. Inside an open group no
// rank waits (nothing is launched before ncclGroupEnd); the in-flight cap is checked at
// GroupEnd, and the group's Synchronize polls every rank under the same watchdog, aborting all
// of them on an asynchronous error or a timeout. Teardown finalizes them in one group (NCCL
// 2.14 and later), then destroys each.
//
// Status: compiles against NCCL 2.28; never run on a GPU where it was written.

#include <memory>
#include <vector>

#include "bench/api/communicator.h"
#include "bench/api/communicator_group.h"
#include "bench/backends/cuda/device_watch.h"
#include "conformance/core/status.h"

namespace lepton::bench::cuda {

Result<std::unique_ptr<Communicator>> MakeNcclCommunicator(Communicator& bootstrap, int device,
                                                           double timeout_seconds);

// Over `devices` (CUDA ordinals, local rank r on devices[r]), or every device the process sees
// when empty. Unavailable without NCCL, a driver or a device; InvalidArgument for a device
// listed twice or not seen. Each rank's DeviceMemory waits under `watch` (the module's).
Result<std::unique_ptr<CommunicatorGroup>> MakeNcclLocalGroup(std::vector<int> devices,
                                                              double timeout_seconds,
                                                              DeviceWatch& watch);

}  // namespace lepton::bench::cuda
