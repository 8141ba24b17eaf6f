#include "bench/comm/world_communicator.h"

#include <charconv>
#include <cstdlib>
#include <string>

#include "bench/comm/self_communicator.h"
#ifdef LEPTON_HAVE_MPI
#include "bench/comm/mpi/mpi_communicator.h"
#endif

namespace lepton::bench {

LaunchInfo DetectLaunch() {
  // Size variables first (they also give the rank count), then variables only launchers set.
  // SLURM_NTASKS alone is not enough: sbatch sets it in the batch script too; srun sets
  // SLURM_STEP_NUM_TASKS for the processes it starts.
  constexpr std::string_view kSizeVariables[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE",
                                                 "SLURM_STEP_NUM_TASKS"};
  for (std::string_view variable : kSizeVariables) {
    const char* value = std::getenv(std::string(variable).c_str());
    if (value == nullptr) continue;
    LaunchInfo info{.under_launcher = true, .variable = std::string(variable)};
    int ranks = 0;
    const std::string_view text(value);
    if (std::from_chars(text.data(), text.data() + text.size(), ranks).ec == std::errc{}) {
      info.ranks = ranks;
    }
    return info;
  }
  // PMIx and MPICH's Hydra state a launch without the world size.
  for (const char* variable : {"PMIX_RANK", "MPI_LOCALNRANKS"}) {
    if (std::getenv(variable) != nullptr) {
      return LaunchInfo{.under_launcher = true, .variable = variable};
    }
  }
  return {};
}

Result<std::unique_ptr<Communicator>> MakeWorldCommunicator() {
  const LaunchInfo launch = DetectLaunch();
  if (!launch.under_launcher) return MakeSelfCommunicator();
#ifdef LEPTON_HAVE_MPI
  return MakeMpiWorldCommunicator();
#else
  if (launch.ranks.value_or(1) == 1) return MakeSelfCommunicator();
  return std::unexpected(FailedPreconditionError(
      "started by an MPI launcher with " + std::to_string(launch.ranks.value_or(0)) + " ranks (" +
      launch.variable + "), but this build has no MPI (configure with LEPTON_MPI=ON)"));
#endif
}

}  // namespace lepton::bench
