#include "bench/energy/polled_meter.h"

#include <cmath>

namespace lepton::bench {

PolledMeter::PolledMeter(MeterInfo info, TraceKind kind, EdgeReads edges, Reader reader,
                         double max_gap_s)
    : info_(std::move(info)),
      kind_(kind),
      edges_(edges),
      reader_(std::move(reader)),
      max_gap_s_(max_gap_s) {}

double PolledMeter::ReadLocked() {
  const double before = SteadySeconds();
  Result<double> value = reader_();
  // The reading happened somewhere inside the call; the middle is the best estimate.
  double t = 0.5 * (before + SteadySeconds());
  if (!value) {
    if (failure_.ok()) failure_ = value.error();
    return t;
  }
  // Two reads within the clock's resolution: keep the points strictly ordered in time.
  if (!trace_.points.empty() && t <= trace_.points.back().t_s) {
    t = std::nextafter(trace_.points.back().t_s, t + 1.0);
  }
  trace_.points.push_back({t, *value, 0});
  return t;
}

Status PolledMeter::Start() {
  thread_.Stop();
  {
    const std::lock_guard lock(mutex_);
    trace_ = EnergyTrace{kind_, {}, info_.name, "steady clock"};
    failure_ = OkStatus();
    ReadLocked();
    if (!failure_.ok()) return failure_;
  }
  const auto period = std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::duration<double>(1.0 / info_.sample_hz));
  thread_.Start(period, [this] {
    const std::lock_guard lock(mutex_);
    ReadLocked();
  });
  return OkStatus();
}

double PolledMeter::Mark() {
  if (edges_ == EdgeReads::kInterpolated) return SteadySeconds();
  const std::lock_guard lock(mutex_);
  const double now = SteadySeconds();
  if (!trace_.points.empty() && now - trace_.points.back().t_s < info_.resolution_s) return now;
  return ReadLocked();
}

Result<EnergyReading> PolledMeter::Stop(std::span<const TimeWindow> windows) {
  thread_.Stop();
  const std::lock_guard lock(mutex_);
  // A last reading so that the readings cover the end of the last window.
  ReadLocked();
  if (!failure_.ok()) return std::unexpected(failure_);
  return IntegrateOverWindows(trace_, windows, {info_.resolution_s, max_gap_s_});
}

}  // namespace lepton::bench
