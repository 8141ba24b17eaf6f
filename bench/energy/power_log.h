#pragma once
// An external power log, as a lab power analyser or a BMC/IPMI poller writes it: a CSV of
// `timestamp,watts`, one sample per line.
//
// - timestamp: Unix time in seconds, with any fraction (1718000000.25), or ISO-8601 UTC or with
//   an offset (2024-06-10T06:13:20.25Z, 2024-06-10 08:13:20+02:00); a time without a zone is
//   refused (local time is ambiguous);
// - watts: a finite number >= 0, the power at that instant (or averaged up to it);
// - an optional header on the first line (any two names, e.g. `timestamp,watts`), blank lines,
//   lines starting with '#', and CRLF line ends are allowed;
// - a last line without its line end is taken as still being written by a live logger and is
//   not read (yet);
// - samples must be in strictly increasing time: a log out of order (merged, re-ordered or with
//   a clock step) is refused with the line, never sorted silently.
// Every malformed line is an InvalidArgument error naming `name:line` and what was expected.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/core/status.h"

namespace lepton::bench {

struct PowerSample {
  double unix_s = 0;
  double watts = 0;
  int line = 0;
};

struct PowerLog {
  std::string name;  // the file, for messages
  std::vector<PowerSample> samples;
};

// Seconds since the Unix epoch from either timestamp form above.
Result<double> ParseLogTimestamp(std::string_view text);

Result<PowerLog> ParsePowerLog(std::string_view text, const std::string& name);

// At most 256 MiB (ResourceExhausted beyond); NotFound when the file does not exist.
Result<PowerLog> ReadPowerLog(const std::filesystem::path& path);

}  // namespace lepton::bench
