#pragma once
// The NCCL backend (GPU buffers, one GPU per rank): the only code that includes nccl.h. Rank 0
// makes the ncclUniqueId and a bootstrap communicator (MPI under mpirun/srun) broadcasts it.
// Every call enqueues on the communicator's stream and then waits, polling the stream and
// ncclCommGetAsyncError; an asynchronous error or a wait past `timeout_seconds` aborts the
// communicator (ncclCommAbort) and returns the error naming the operation, so a rank whose peer
// died does not hang. Buffers passed to it must be device memory on `device`.
//
// Status: compiles against NCCL 2.28; never run (no GPU where it was written). The single-process
// mode over all local GPUs (ncclCommInitAll) is not here: it needs group calls across
// communicators from one thread, which the blocking Communicator interface cannot express.

#include <memory>

#include "bench/api/communicator.h"
#include "conformance/core/status.h"

namespace lepton::bench {

// CUDA devices visible to this process; 0 with the reason when the runtime reports none.
Result<int> VisibleCudaDevices();

Result<std::unique_ptr<Communicator>> MakeNcclCommunicator(Communicator& bootstrap, int device,
                                                           double timeout_seconds);

}  // namespace lepton::bench
