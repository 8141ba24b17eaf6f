#pragma once
// CPU packages and DRAM through Linux powercap RAPL (/sys/class/powercap/intel-rapl:*, which
// AMD Zen processors expose too). Each domain's energy_uj counts microjoules and wraps to 0 at
// max_energy_range_uj; the meter reads every domain at each window edge and polls them on a
// sampling thread, so no window can hide more than one wrap (a package range of 262 kJ wraps
// after minutes even at hundreds of watts).
//
// Domains: the top-level package zones (they contain the core and uncore subzones, which are
// therefore not added again) and the DRAM subzones. A platform (psys) zone is left out: it
// overlaps the packages.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "bench/energy/energy_meter.h"

namespace lepton::bench {

// Microjoules between two readings of a counter that wraps to 0 after `range_uj`.
std::uint64_t UnwrappedDeltaMicrojoules(std::uint64_t previous_uj, std::uint64_t current_uj,
                                        std::uint64_t range_uj);

struct RaplOptions {
  std::filesystem::path root = "/sys/class/powercap";  // a test passes a fake tree
  double sample_hz = 10;
  double max_gap_s = 2;
};

// Unavailable, with the precise reason, when there is no RAPL here or its counters cannot be
// read (root-only since Linux 5.10); DataLoss when a counter file holds something else.
Result<std::unique_ptr<EnergyMeter>> OpenRaplMeter(const RaplOptions& options);

}  // namespace lepton::bench
