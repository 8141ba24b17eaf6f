#pragma once
// What the runner starts around a workload's timed steps. A meter records from Start() to Stop()
// (a sampling thread, counter reads, or an external power log); the runner calls Mark() at the
// edges of every timed step, and Stop() integrates over those windows only, so untimed work
// between steps (evaluation) is never attributed. Start/Stop as Google Benchmark's
// MemoryManager. A meter that cannot measure says why (Unavailable): its figures are then
// "not measured", never 0 J.

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "conformance/core/status.h"
#include "conformance/spec/spec_model.h"

namespace lepton::bench {

// The method, stated next to every figure the meter produced.
struct MeterInfo {
  std::string name;  // "rapl", "nvml", "power-log"
  spec::EnergyTier tier = spec::EnergyTier::kOnDieSampled;
  std::vector<std::string> domains;  // what the figure covers: "package-0", "dram-0", "gpu0", ...
  std::string source;                // where it reads: a directory, a library and driver, a file
  std::string method;                // how a window's energy is formed, in words
  std::string limits;                // what the meter cannot see
  double sample_hz = 0;              // its sampling thread's rate; 0 when it has none
  double resolution_s = 0;           // the shortest interval it resolves
};

// One timed window, in seconds of the runner's steady clock (SteadySeconds()).
struct TimeWindow {
  double begin_s = 0;
  double end_s = 0;
};

struct EnergyReading {
  double joules = 0;
  double covered_s = 0;  // the windows' durations summed
  std::optional<double> peak_watts;
  std::string peak_unavailable_reason;  // when peak_watts is absent
  std::int64_t samples = 0;             // meter readings inside the windows, edges included
  double resolution_s = 0;              // as used (a power log's is its median sample interval)
};

class EnergyMeter {
 public:
  virtual ~EnergyMeter() = default;
  [[nodiscard]] virtual const MeterInfo& info() const = 0;
  // Begins recording. Unavailable (with the reason) when the meter cannot measure here.
  virtual Status Start() = 0;
  // At a window's edge, just outside the runner's clock reads: the steady-clock time the meter
  // gives the edge. Never fails on the timed path; a failed read is kept and reported by Stop.
  virtual double Mark() = 0;
  // Ends recording and integrates over `windows` (in order, not overlapping, between Start and
  // Stop).
  virtual Result<EnergyReading> Stop(std::span<const TimeWindow> windows) = 0;
};

inline double SteadySeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace lepton::bench
