#pragma once
// The MPI backend (CPU buffers): the only code that includes mpi.h. The first communicator made
// in a process initializes MPI (MPI_THREAD_FUNNELED: only the main thread calls MPI) and its
// destruction finalizes it; MPI cannot be initialized twice, so a process makes one.

#include <memory>

#include "bench/api/communicator.h"
#include "conformance/core/status.h"

namespace lepton::bench {

// A communicator over a duplicate of MPI_COMM_WORLD, with errors returned as Status.
Result<std::unique_ptr<Communicator>> MakeMpiWorldCommunicator();

}  // namespace lepton::bench
