#pragma once
// The collective benchmark workload, as nccl-tests runs it: for each operation, placement (out of
// place, in place) and message size of a power-of-two sweep, warm-up iterations and then timed
// iterations (one timed step each, timed by the runner), then one more call on freshly filled
// inputs whose every result element is checked exactly. Every rank runs it; per size the time
// is the largest over ranks of the mean per-iteration time, and the wrong elements are summed
// over ranks, so rank 0 holds the measurement of the whole run.

#include <memory>

#include "bench/api/workload.h"

namespace lepton::bench {

std::unique_ptr<Workload> MakeCollectivesWorkload();

}  // namespace lepton::bench
