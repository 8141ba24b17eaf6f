#pragma once
// NVIDIA GPUs through NVML: the total-energy counter (nvmlDeviceGetTotalEnergyConsumption,
// millijoules since the driver loaded; Volta and newer) where every GPU supports it, otherwise
// power samples (nvmlDeviceGetPowerUsage, milliwatts) taken on a sampling thread at the
// profile's rate and integrated by the trapezoidal rule. The figure covers every GPU NVML
// enumerates, summed.

#include <memory>
#include <string>

#include "bench/energy/energy_meter.h"

namespace lepton::bench {

enum class NvmlMode {
  kCounterElseSampled,  // the counter where supported, power samples otherwise
  kSampled,             // power samples even where the counter exists (to compare the two)
};

struct NvmlOptions {
  std::string library = "libnvidia-ml.so.1";  // a test passes its stand-in library
  NvmlMode mode = NvmlMode::kCounterElseSampled;
  double sample_hz = 10;
  double max_gap_s = 2;
};

// Unavailable, with NVML's own words, when there is no driver, no GPU, or neither the counter
// nor power readings are supported.
Result<std::unique_ptr<EnergyMeter>> OpenNvmlMeter(const NvmlOptions& options);

}  // namespace lepton::bench
