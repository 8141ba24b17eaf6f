#pragma once
// The collective benchmark workload, as nccl-tests runs it: for each operation, placement (out of
// place, in place) and message size of a power-of-two sweep, warm-up iterations and then timed
// iterations (one timed step each, timed by the runner), then one more call on freshly filled
// inputs whose every result element is checked exactly. Every rank runs it; per size the time
// is the largest over ranks of the mean per-iteration time, and the wrong elements are summed
// over ranks, so rank 0 holds the measurement of the whole run.
//
// On devices: cuda (a profile with comm: nccl) the measured calls go through the context's
// device communicator (NCCL) on device buffers (WorkloadContext::device_memory), filled and
// checked on the host; barriers and the combining of the figures stay on the run's host
// communicator (MPI, or self alone).
//
// Under comm: nccl-local (WorkloadContext::device_group: NCCL's single-process group over the
// local GPUs, this process alone) there is one case per device: each iteration is one group
// call (GroupStart, every rank's call, GroupEnd), each step waits once for every device
// (Synchronize), every device's results are checked and their wrong elements summed, and the
// `ranks` metric is the number of devices.

#include <memory>

#include "bench/api/workload.h"

namespace lepton::bench {

std::unique_ptr<Workload> MakeCollectivesWorkload();

}  // namespace lepton::bench
