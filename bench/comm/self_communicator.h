#pragma once
// The communicator of a process that runs alone: one rank, every collective a copy. Used when the
// process was not started by an MPI launcher, so single-rank runs need no MPI library at all.

#include <memory>

#include "bench/api/communicator.h"

namespace lepton::bench {

std::unique_ptr<Communicator> MakeSelfCommunicator();

}  // namespace lepton::bench
