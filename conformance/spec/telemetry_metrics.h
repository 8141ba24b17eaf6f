#pragma once
// The metric the runner forms from GPU telemetry over a workload's timed steps
// (bench/runner/runner.h, bench/telemetry/), never the workload: a workload type that can run on
// devices: cuda lists it among its metrics so a requirement can demand an unthrottled run.

#include <string_view>

namespace lepton::spec {

// true when some telemetry reading of the timed region had a thermal or power clocks event
// reason (conformance/checks/telemetry_fields.h, kThermalOrPowerReasons).
inline constexpr std::string_view kGpuThrottled = "gpu_throttled";

}  // namespace lepton::spec
