#include "bench/energy/power_log.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <optional>
#include <regex>
#include <sstream>

namespace lepton::bench {
namespace {

constexpr std::uintmax_t kMaxLogBytes = 256ULL << 20;

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

std::optional<double> ParseDecimal(std::string_view text) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() ||
      !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

// Days from 1970-01-01 to the civil date (Howard Hinnant's days_from_civil).
std::int64_t DaysFromCivil(std::int64_t year, std::int64_t month, std::int64_t day) {
  year -= month <= 2 ? 1 : 0;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const std::int64_t year_of_era = year - era * 400;
  const std::int64_t day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const std::int64_t day_of_era =
      year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

std::string Quote(std::string_view text) { return "'" + std::string(text) + "'"; }

}  // namespace

Result<double> ParseLogTimestamp(std::string_view text) {
  if (const auto seconds = ParseDecimal(text)) return *seconds;
  // libstdc++'s regex recurses per character: a hostile megabyte-long field must not reach it.
  constexpr std::size_t kMaxTimestampChars = 64;
  if (text.size() > kMaxTimestampChars) {
    return std::unexpected(InvalidArgumentError(
        "expected a timestamp of at most " + std::to_string(kMaxTimestampChars) +
        " characters, found one of " + std::to_string(text.size())));
  }
  static const std::regex kIso(
      R"(^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?$)");
  std::match_results<std::string_view::const_iterator> match;
  if (!std::regex_match(text.begin(), text.end(), match, kIso)) {
    return std::unexpected(InvalidArgumentError(
        "expected a timestamp (Unix seconds like 1718000000.25, or ISO-8601 like "
        "2024-06-10T06:13:20.25Z), found " +
        Quote(text)));
  }
  if (!match[8].matched) {
    return std::unexpected(InvalidArgumentError(
        "timestamp " + Quote(text) + " has no time zone; add Z or an offset like +02:00"));
  }
  const auto number = [&](int group) { return std::stoi(match[group].str()); };
  const int month = number(2);
  const int day = number(3);
  const int hour = number(4);
  const int minute = number(5);
  const int second = number(6);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return std::unexpected(InvalidArgumentError("timestamp " + Quote(text) + " is not a date"));
  }
  double seconds = static_cast<double>(DaysFromCivil(number(1), month, day)) * 86400.0 +
                   hour * 3600.0 + minute * 60.0 + second;
  if (match[7].matched) {
    // Digits past nanoseconds say nothing a double could keep; std::stod would throw on the
    // underflow of a long enough fraction.
    constexpr std::size_t kFractionDigits = 9;
    const std::string fraction = "0" + match[7].str().substr(0, 1 + kFractionDigits);
    seconds += ParseDecimal(fraction).value_or(0.0);
  }
  const std::string zone = match[8].str();
  if (zone != "Z") {
    const int sign = zone[0] == '-' ? -1 : 1;
    const int offset = std::stoi(zone.substr(1, 2)) * 3600 + std::stoi(zone.substr(4, 2)) * 60;
    seconds -= sign * offset;
  }
  return seconds;
}

Result<PowerLog> ParsePowerLog(std::string_view text, const std::string& name) {
  PowerLog log;
  log.name = name;
  int line_number = 0;
  bool first_content = true;
  std::size_t position = 0;
  while (position < text.size()) {
    const std::size_t newline = text.find('\n', position);
    // A live logger may be half-way through its last line: only ended lines count.
    if (newline == std::string_view::npos) break;
    const std::size_t end = newline;
    const std::string_view line = Trim(text.substr(position, end - position));
    position = end + 1;
    ++line_number;
    const auto error = [&](const std::string& what) {
      std::string message = name;
      message += ":" + std::to_string(line_number) + ": " + what;
      return std::unexpected(InvalidArgumentError(std::move(message)));
    };
    if (line.empty() || line.front() == '#') continue;
    const std::size_t comma = line.find(',');
    if (comma == std::string_view::npos || line.find(',', comma + 1) != std::string_view::npos) {
      return error("expected two fields 'timestamp,watts', found " + Quote(line));
    }
    const std::string_view stamp_text = Trim(line.substr(0, comma));
    const std::string_view watts_text = Trim(line.substr(comma + 1));
    auto stamp = ParseLogTimestamp(stamp_text);
    if (first_content) {
      first_content = false;
      // A header names the columns; any two names will do.
      if (!stamp && !ParseDecimal(watts_text)) continue;
    }
    if (!stamp) return error(stamp.error().message());
    const auto watts = ParseDecimal(watts_text);
    if (!watts || *watts < 0) {
      return error("expected watts as a finite number >= 0, found " + Quote(watts_text));
    }
    if (!log.samples.empty() && *stamp <= log.samples.back().unix_s) {
      return error("timestamp " + std::string(stamp_text) + " is not after line " +
                   std::to_string(log.samples.back().line) +
                   "'s; the log must be in strictly increasing time (a merged or re-ordered "
                   "log is refused, not sorted)");
    }
    log.samples.push_back({*stamp, *watts, line_number});
  }
  if (log.samples.empty()) {
    return std::unexpected(InvalidArgumentError(name + ": no samples (expected lines of "
                                                       "'timestamp,watts')"));
  }
  return log;
}

Result<PowerLog> ReadPowerLog(const std::filesystem::path& path) {
  std::error_code error;
  const std::uintmax_t size = std::filesystem::file_size(path, error);
  if (error) {
    return std::unexpected(NotFoundError("power log " + path.string() + ": " + error.message()));
  }
  if (size > kMaxLogBytes) {
    return std::unexpected(ResourceExhaustedError("power log " + path.string() + " is " +
                                                  std::to_string(size) +
                                                  " bytes; the limit is 256 MiB"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::unexpected(NotFoundError("power log " + path.string() + ": cannot open"));
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return ParsePowerLog(bytes.str(), path.string());
}

}  // namespace lepton::bench
