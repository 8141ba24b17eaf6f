#include "bench/energy/energy_trace.h"

#include <algorithm>
#include <cmath>

#include "conformance/spec/spec_model.h"

namespace lepton::bench {
namespace {

std::string Seconds(double value) { return spec::ValueToString(value) + " s"; }

std::string At(const TracePoint& point) {
  std::string text = "t=" + spec::ValueToString(point.t_s);
  if (point.line > 0) text += " (line " + std::to_string(point.line) + ")";
  return text;
}

std::vector<TracePoint>::const_iterator FirstAtOrAfter(const std::vector<TracePoint>& points,
                                                       double t) {
  return std::lower_bound(points.begin(), points.end(), t,
                          [](const TracePoint& p, double time) { return p.t_s < time; });
}

// The trace's value at t, interpolated linearly; t lies within the trace.
double ValueAt(const std::vector<TracePoint>& points, double t) {
  const auto after = FirstAtOrAfter(points, t);
  if (after == points.begin()) return after->value;
  if (after == points.end()) return points.back().value;
  const TracePoint& right = *after;
  const TracePoint& left = *(after - 1);
  if (right.t_s == t) return right.value;
  const double fraction = (t - left.t_s) / (right.t_s - left.t_s);
  return left.value + fraction * (right.value - left.value);
}

// The window's edges and the readings strictly between them, as (t, value) points.
std::vector<TracePoint> Slice(const std::vector<TracePoint>& points, const TimeWindow& window) {
  std::vector<TracePoint> slice;
  slice.push_back({window.begin_s, ValueAt(points, window.begin_s), 0});
  for (auto it = FirstAtOrAfter(points, window.begin_s);
       it != points.end() && it->t_s < window.end_s; ++it) {
    if (it->t_s > window.begin_s) slice.push_back(*it);
  }
  slice.push_back({window.end_s, ValueAt(points, window.end_s), 0});
  return slice;
}

// Readings at or inside the window's edges.
std::int64_t CountInside(const std::vector<TracePoint>& points, const TimeWindow& window) {
  const auto first = FirstAtOrAfter(points, window.begin_s);
  const auto past = std::upper_bound(first, points.end(), window.end_s,
                                     [](double time, const TracePoint& p) { return time < p.t_s; });
  return past - first;
}

Status CheckInputs(const EnergyTrace& trace, std::span<const TimeWindow> windows,
                   const IntegrationLimits& limits) {
  if (trace.points.empty()) {
    return UnavailableError(trace.source + " has no readings");
  }
  for (std::size_t i = 1; i < trace.points.size(); ++i) {
    if (!(trace.points[i].t_s > trace.points[i - 1].t_s)) {
      return InvalidArgumentError(trace.source + ": readings out of time order at " +
                                  At(trace.points[i]));
    }
  }
  for (std::size_t i = 0; i < windows.size(); ++i) {
    const TimeWindow& window = windows[i];
    if (!(window.end_s >= window.begin_s) || (i > 0 && window.begin_s < windows[i - 1].end_s)) {
      return InvalidArgumentError("timed windows must be ordered and must not overlap");
    }
    if (window.begin_s < trace.points.front().t_s || window.end_s > trace.points.back().t_s) {
      return UnavailableError(
          trace.source + " covers " + spec::ValueToString(trace.points.front().t_s) + " to " +
          spec::ValueToString(trace.points.back().t_s) + " (" + trace.clock +
          "), not the timed window " + spec::ValueToString(window.begin_s) + " to " +
          spec::ValueToString(window.end_s) + ": readings must cover the whole timed region");
    }
  }
  if (trace.kind == TraceKind::kWatts && limits.max_gap_s > 0) {
    for (std::size_t i = 1; i < trace.points.size(); ++i) {
      const TracePoint& left = trace.points[i - 1];
      const TracePoint& right = trace.points[i];
      if (right.t_s - left.t_s <= limits.max_gap_s) continue;
      // The first window ending after the gap starts is the only one that can cross it.
      const auto window =
          std::upper_bound(windows.begin(), windows.end(), left.t_s,
                           [](double time, const TimeWindow& w) { return time < w.end_s; });
      const bool crosses_window = window != windows.end() && right.t_s > window->begin_s;
      if (crosses_window) {
        return UnavailableError(trace.source + " has a gap of " + Seconds(right.t_s - left.t_s) +
                                " between " + At(left) + " and " + At(right) +
                                " across a timed window; the profile allows " +
                                Seconds(limits.max_gap_s) + " (energy.max_gap_s)");
      }
    }
  }
  if (trace.kind == TraceKind::kCumulativeJoules) {
    for (std::size_t i = 1; i < trace.points.size(); ++i) {
      if (trace.points[i].value < trace.points[i - 1].value) {
        return DataLossError(trace.source + ": the energy counter went backwards at " +
                             At(trace.points[i]) + " (a driver reload or reset)");
      }
    }
  }
  return OkStatus();
}

// Highest mean power over stretches of at least `resolution` inside one window: consecutive
// readings are merged until the stretch is long enough; a short tail joins the last stretch.
std::optional<double> CounterPeak(const std::vector<TracePoint>& slice, double resolution) {
  std::optional<double> peak;
  std::optional<double> last_stretch_start;
  std::size_t start = 0;
  for (std::size_t i = 1; i < slice.size(); ++i) {
    const double span = slice[i].t_s - slice[start].t_s;
    const bool last = i + 1 == slice.size();
    if (span >= resolution && span > 0) {
      const double watts = (slice[i].value - slice[start].value) / span;
      peak = std::max(peak.value_or(watts), watts);
      last_stretch_start = slice[start].t_s;
      start = i;
    } else if (last && last_stretch_start) {
      // The tail is shorter than the resolution: fold it into the previous stretch.
      const double from = *last_stretch_start;
      const double watts = (slice[i].value - ValueAt(slice, from)) / (slice[i].t_s - from);
      peak = std::max(*peak, watts);
    }
  }
  return peak;
}

}  // namespace

Result<EnergyReading> IntegrateOverWindows(const EnergyTrace& trace,
                                           std::span<const TimeWindow> windows,
                                           const IntegrationLimits& limits) {
  LEPTON_RETURN_IF_ERROR(CheckInputs(trace, windows, limits));
  EnergyReading reading;
  reading.resolution_s = limits.resolution_s;
  for (const TimeWindow& window : windows) {
    const std::vector<TracePoint> slice = Slice(trace.points, window);
    reading.covered_s += window.end_s - window.begin_s;
    reading.samples += CountInside(trace.points, window);
    if (trace.kind == TraceKind::kCumulativeJoules) {
      reading.joules += slice.back().value - slice.front().value;
      if (const auto peak = CounterPeak(slice, limits.resolution_s)) {
        reading.peak_watts = std::max(reading.peak_watts.value_or(*peak), *peak);
      }
    } else {
      for (std::size_t i = 1; i < slice.size(); ++i) {
        reading.joules +=
            0.5 * (slice[i].value + slice[i - 1].value) * (slice[i].t_s - slice[i - 1].t_s);
      }
      for (const TracePoint& point : slice) {
        reading.peak_watts = std::max(reading.peak_watts.value_or(point.value), point.value);
      }
    }
  }
  if (!reading.peak_watts) {
    reading.peak_unavailable_reason =
        windows.empty()
            ? "no timed window"
            : "no timed window lasted the meter's resolution of " + Seconds(limits.resolution_s);
  }
  return reading;
}

}  // namespace lepton::bench
