#pragma once
// The communicator of this process: MPI's world when an MPI launcher (mpirun, mpiexec, srun)
// started it, else the one-rank self communicator. Deciding by the launcher's environment
// keeps single-process runs free of MPI initialization (which can be slow or print warnings).

#include <memory>
#include <optional>

#include "bench/api/communicator.h"
#include "conformance/core/status.h"

namespace lepton::bench {

struct LaunchInfo {
  bool under_launcher = false;
  std::optional<int> ranks;  // the launcher's stated world size, when it states one
  std::string variable;      // the environment variable that told, e.g. OMPI_COMM_WORLD_SIZE
};

// Reads the environment variables Open MPI, MPICH/Hydra, PMI/PMIx and Slurm's srun set.
LaunchInfo DetectLaunch();

// FailedPrecondition when a launcher asks for several ranks and this build has no MPI.
Result<std::unique_ptr<Communicator>> MakeWorldCommunicator();

}  // namespace lepton::bench
