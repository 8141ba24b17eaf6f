#pragma once
// TEST ONLY: one run of a prepared workload as the runner takes it (BeginRun, then RunStep and
// AfterStep for every step, then FinishRun), with every step's time given instead of a clock.

#include <vector>

#include "bench/api/workload.h"

namespace lepton::bench {

inline Result<Metrics> RunWithStepTimes(Workload& workload, double seconds_per_step) {
  const std::size_t steps = workload.StepNames().size();
  LEPTON_RETURN_IF_ERROR(workload.BeginRun(0));
  for (std::size_t step = 0; step < steps; ++step) {
    LEPTON_RETURN_IF_ERROR(workload.RunStep(step));
    LEPTON_RETURN_IF_ERROR(workload.AfterStep(step));
  }
  const std::vector<double> times(steps, seconds_per_step);
  return workload.FinishRun(times);
}

}  // namespace lepton::bench
