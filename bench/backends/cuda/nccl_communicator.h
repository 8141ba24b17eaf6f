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
// Not here: the single-process mode over all local GPUs (ncclCommInitAll). One process would
// hold one communicator per GPU and every operation would be a group call across them from one
// thread, which the one-rank-per-process Communicator interface (one rank(), one buffer per
// call) cannot express; one process per GPU under mpirun is NCCL's recommended layout anyway.
//
// Status: compiles against NCCL 2.28; never run on a GPU where it was written.

#include <memory>

#include "bench/api/communicator.h"
#include "conformance/core/status.h"

namespace lepton::bench::cuda {

Result<std::unique_ptr<Communicator>> MakeNcclCommunicator(Communicator& bootstrap, int device,
                                                           double timeout_seconds);

}  // namespace lepton::bench::cuda
