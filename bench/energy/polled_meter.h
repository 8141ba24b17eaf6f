#pragma once
// A meter that reads a device on a sampling thread at a stated rate, for the on-die meters
// (RAPL, NVML). The reader returns either a cumulative energy counter in joules (unwrapped by
// the reader) or power in watts. A counter that is cheap to read and fine-grained (RAPL) is also
// read at the window edges, so a window's energy is a counter difference and the thread's
// readings serve wrap-around and peak power; an edge within the meter's resolution of the last
// reading (back-to-back short steps) would read nothing new and is interpolated instead, which
// bounds the reads to one per resolution interval. Other meters interpolate every edge between
// the thread's readings (energy_trace.h).

#include <functional>
#include <memory>
#include <mutex>

#include "bench/energy/energy_meter.h"
#include "bench/energy/energy_trace.h"
#include "bench/energy/sampling_thread.h"

namespace lepton::bench {

enum class EdgeReads {
  kAtEdges,       // Mark() reads the device unless it was read within info.resolution_s
  kInterpolated,  // Mark() only takes the time
};

class PolledMeter final : public EnergyMeter {
 public:
  // Called on the sampling thread and at window edges, never concurrently.
  using Reader = std::function<Result<double>()>;

  // `info.sample_hz` is the thread's rate and `info.resolution_s` the peak-power interval.
  PolledMeter(MeterInfo info, TraceKind kind, EdgeReads edges, Reader reader, double max_gap_s);

  [[nodiscard]] const MeterInfo& info() const override { return info_; }
  Status Start() override;
  double Mark() override;
  Result<EnergyReading> Stop(std::span<const TimeWindow> windows) override;

 private:
  // Reads once and appends the reading, or keeps the first failure. Holds mutex_.
  double ReadLocked();

  MeterInfo info_;
  TraceKind kind_;
  EdgeReads edges_;
  Reader reader_;
  double max_gap_s_;
  std::mutex mutex_;
  EnergyTrace trace_;
  Status failure_;
  SamplingThread thread_;
};

}  // namespace lepton::bench
