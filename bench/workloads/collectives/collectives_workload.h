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

#include <memory>

#include "bench/api/workload.h"

namespace lepton::bench {

std::unique_ptr<Workload> MakeCollectivesWorkload();

}  // namespace lepton::bench
