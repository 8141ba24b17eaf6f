#pragma once
// The telemetry sampler on NVML (conformance/checks/nvml_library.h, loaded with dlopen): every
// GPU NVML enumerates, each reading taking the SM and memory clocks, the die temperature, power,
// GPU and memory utilisation, the clocks event reasons, the volatile ECC counts and PCIe TX/RX
// throughput. A query this driver lacks or refuses leaves that field absent with NVML's words
// ("symbol not exported by this driver", "Not Supported (NVML error 3)").
//
// NVLink throughput is not read: NVML gives it only through nvmlDeviceGetFieldValues, which this
// build does not bind (docs/gpu-telemetry.md).

#include <memory>
#include <string>

#include "bench/telemetry/telemetry_sampler.h"

namespace lepton::bench {

// 10 Hz: NVML refreshes utilisation and power about every 1/6 s to 1 s, so a faster rate adds
// driver calls, not information; a 1 s step still gets ten readings.
inline constexpr double kTelemetrySampleHz = 10;

struct NvmlTelemetryOptions {
  std::string library = "libnvidia-ml.so.1";  // a test passes its stand-in library
  double sample_hz = kTelemetrySampleHz;      // 0: readings only at the edges and on demand
};

// Unavailable, with NVML's words, when there is no driver or no GPU.
Result<std::unique_ptr<PolledTelemetrySampler>> OpenNvmlTelemetrySampler(
    const NvmlTelemetryOptions& options);

}  // namespace lepton::bench
