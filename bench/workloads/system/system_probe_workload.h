#pragma once
// The interface "workload": turns the system description probed before the run into metrics
// the interface requirements read. It has no timed steps.

#include <memory>

#include "bench/api/workload.h"

namespace lepton::bench {

std::unique_ptr<Workload> MakeSystemProbeWorkload();

}  // namespace lepton::bench
