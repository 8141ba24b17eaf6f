#pragma once
// The NCCL side of a run whose profile says `devices: cuda` and `comm: nccl`: this rank's device
// memory and the NCCL communicator over the run's ranks, both from the CUDA backend module
// (lepton-cert itself links no CUDA or NCCL library), bootstrapped over the run's communicator
// (MPI under mpirun/srun, self alone). When they cannot be made, `status` says why (the loader's,
// the CUDA runtime's or NCCL's words) and the workloads that need them are not measured.

#include <memory>

#include "bench/api/communicator.h"
#include "bench/api/device_memory.h"
#include "bench/backends/cuda_backend.h"
#include "conformance/core/status.h"
#include "conformance/spec/spec_model.h"

namespace lepton::certify {

// Where a profile's all-ranks collectives run, read once from the planned profile: NCCL over
// the run's ranks (devices: cuda, comm: nccl), NCCL's single-process group over this process's
// GPUs (devices: cuda, comm: nccl-local), or not on devices (anything else).
enum class DeviceComm { kNone, kNccl, kNcclLocal };
DeviceComm DeviceCommOf(const spec::Profile& profile);

struct DeviceCollectives {
  std::unique_ptr<bench::DeviceMemory> memory;
  std::unique_ptr<bench::Communicator> communicator;  // null unless status is OK
  // comm: nccl-local instead of memory and communicator: the single-process group over the
  // local GPUs; null unless status is OK.
  std::unique_ptr<bench::CommunicatorGroup> group;
  Status status;
};

// Collective over `world`: every rank calls it. The ranks first agree that every one of them
// has the module and its device (`device`, the CUDA ordinal bench::ChooseRankDevice picked, or
// why there is none), naming the ranks that do not, so no rank goes on into NCCL's set-up
// alone; then the module makes the communicator.
DeviceCollectives OpenDeviceCollectives(const Result<bench::CudaBackend*>& backend,
                                        bench::Communicator& world, const Result<int>& device,
                                        double timeout_seconds);

// comm: nccl-local (one process, every local GPU, ncclCommInitAll): the module's group over
// every device this process sees, or why there is none (the loader's, the CUDA runtime's or
// NCCL's words). Never collective: it runs alone.
DeviceCollectives OpenLocalGroup(const Result<bench::CudaBackend*>& backend,
                                 double timeout_seconds);

// The communicators as the run's first line names them: the run's (`world`), then the GPUs'
// when there are any: "mpi, nccl over cuda:0 (...)" or "self, nccl (single process,
// ncclCommInitAll) over 8 GPU(s)".
std::string CommunicatorsDescription(const bench::Communicator& world,
                                     const DeviceCollectives& device);

// The run's `ranks` fact, which `applies_if: "ranks >= 2"` reads: the ranks its collectives run
// over. With comm: nccl-local they are the GPUs the one process sees (ncclCommInitAll makes one
// NCCL rank per GPU), and a launch of several processes is refused (FailedPrecondition, naming
// the profile); with any other comm, the processes.
Result<int> CollectiveRanksFact(const spec::Profile& profile, int processes, int gpus);

}  // namespace lepton::certify
