#pragma once
// The energy figures: measured by the runner's meter around a workload's timed steps
// (bench/runner/energy_accounting.h), never by the workload. A workload type lists those it
// supports among its metrics; only `kind: energy` requirements may judge them, because only
// those state which measurement methods they accept.

#include <algorithm>
#include <array>
#include <string_view>

namespace lepton::spec {

inline constexpr std::string_view kEnergyJoules = "energy_j";
inline constexpr std::string_view kEnergyAboveIdleJoules = "energy_above_idle_j";
inline constexpr std::string_view kJoulesPerSample = "joules_per_sample";
inline constexpr std::string_view kSamplesPerJoule = "samples_per_joule";
inline constexpr std::string_view kAverageWatts = "average_watts";
inline constexpr std::string_view kPeakWatts = "peak_watts";
inline constexpr std::string_view kIdleWatts = "idle_watts";

inline constexpr std::array<std::string_view, 7> kEnergyMetrics = {
    kEnergyJoules,    kEnergyAboveIdleJoules, kJoulesPerSample,
    kSamplesPerJoule, kAverageWatts,          kPeakWatts,
    kIdleWatts};

inline bool IsEnergyMetric(std::string_view name) {
  return std::find(kEnergyMetrics.begin(), kEnergyMetrics.end(), name) != kEnergyMetrics.end();
}

}  // namespace lepton::spec
