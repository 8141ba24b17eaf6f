// Fuzzes the external power-log reader (bench/energy/power_log.h) and, when the log parses, the
// integration the power-log meter runs over the timed windows (power_log_meter.h).

#include <cstdint>
#include <string>
#include <vector>

#include "bench/energy/power_log.h"
#include "bench/energy/power_log_meter.h"
#include "tools/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  // The first byte places two windows inside the log's span; the rest is the file.
  const std::uint8_t placement = data[0];
  auto log = lepton::bench::ParsePowerLog(lepton::fuzz::AsText(data + 1, size - 1), "fuzz.csv");
  if (!log || log->samples.empty()) return 0;
  const double first = log->samples.front().unix_s;
  const double span = log->samples.back().unix_s - first;
  const double cut = first + span * ((placement & 0x0f) / 16.0);
  const double end = first + span * (1.0 + (placement >> 4)) / 16.0;
  const std::vector<lepton::bench::TimeWindow> windows = {{first - 0.5, cut}, {cut, end + 0.5}};
  (void)lepton::bench::IntegratePowerLog(*log, windows, 2.0);
  return 0;
}
