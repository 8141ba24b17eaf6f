#pragma once
// GPU telemetry over a workload's timed region: the runner calls Start() before the first timed
// step and Stop() after the last, as it does an energy meter, and keeps what Stop returns. A
// reading the driver cannot give is kept absent with the driver's words, never as 0; a region
// with no reading at all says why (not_measured_reason).
//
// PolledTelemetrySampler reads once at Start, on a thread at a fixed rate, and once at Stop, so
// every region has at least its two edge readings however short; SampleNow() takes a reading on
// demand, which is how tests script samples without timing.

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "bench/api/measurement.h"
#include "bench/energy/sampling_thread.h"
#include "conformance/checks/telemetry_fields.h"
#include "conformance/core/status.h"

namespace lepton::bench {

// One GPU at one instant.
struct GpuReading {
  std::array<std::optional<double>, checks::kTelemetryFieldCount> values;
  std::array<std::string, checks::kTelemetryFieldCount> why_not;  // where a value is absent
  std::optional<std::uint64_t> event_reasons;  // the clocks event reasons bitmask
  std::string event_reasons_why_not;
};

// Every GPU at one instant, in NVML's order.
struct TelemetryReading {
  std::vector<GpuReading> gpus;
};

struct TelemetryRegion {
  std::string source;  // the library and driver
  double sample_hz = 0;
  std::vector<TelemetryReading> readings;
  std::string not_measured_reason;  // set when readings is empty
};

class TelemetrySampler {
 public:
  virtual ~TelemetrySampler() = default;
  // Begins a region. Unavailable (with the reason) when nothing can be read.
  virtual Status Start() = 0;
  // Ends the region and hands over its readings.
  virtual TelemetryRegion Stop() = 0;
};

class PolledTelemetrySampler final : public TelemetrySampler {
 public:
  // Called on the sampling thread and from Start/Stop/SampleNow, never concurrently.
  using Reader = std::function<Result<TelemetryReading>()>;

  // `sample_hz` 0: no thread, readings only at the edges and by SampleNow().
  PolledTelemetrySampler(std::string source, double sample_hz, Reader reader);

  Status Start() override;
  TelemetryRegion Stop() override;
  void SampleNow();

 private:
  std::string source_;
  double sample_hz_;
  Reader reader_;
  std::mutex mutex_;
  std::vector<TelemetryReading> readings_;
  Status failure_;  // the first failed reading of the region
  SamplingThread thread_;
};

// The per-field figures (min, median, max, sample count), the clocks event reasons seen with
// their share of the readings, and the thermal-or-power flag, over every reading of `regions`
// together (a run: its one region; a workload: its timed runs'). A counter field (ECC) counts
// from each region's first reading. Regions without readings contribute only their reason.
TelemetrySummary SummarizeTelemetry(std::span<const TelemetryRegion> regions);

}  // namespace lepton::bench
