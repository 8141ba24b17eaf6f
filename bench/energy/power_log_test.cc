#include "bench/energy/power_log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "bench/energy/power_log_meter.h"

namespace lepton::bench {
namespace {

TEST(PowerLogTimestampTest, UnixSecondsAndIso8601) {
  EXPECT_EQ(ParseLogTimestamp("1718000000.25").value(), 1718000000.25);
  EXPECT_EQ(ParseLogTimestamp("2024-06-10T06:13:20.25Z").value(), 1718000000.25);
  EXPECT_EQ(ParseLogTimestamp("2024-06-10 08:13:20+02:00").value(), 1718000000.0);
  EXPECT_EQ(ParseLogTimestamp("2000-02-29T00:00:00Z").value(), 951782400.0);
  EXPECT_EQ(ParseLogTimestamp("1969-12-31T23:59:59Z").value(), -1.0);
  EXPECT_EQ(ParseLogTimestamp("2024-06-10T06:13:20").error().message(),
            "timestamp '2024-06-10T06:13:20' has no time zone; add Z or an offset like +02:00");
  EXPECT_EQ(ParseLogTimestamp("2024-13-10T06:13:20Z").error().message(),
            "timestamp '2024-13-10T06:13:20Z' is not a date");
}

// Found by power_log_fuzz: std::stod threw out_of_range on a fraction whose value underflows.
TEST(PowerLogTimestampTest, ALongFractionIsCutAtNanosecondsNotThrown) {
  const std::string stamp = "2024-06-10T06:13:20." + std::string(40, '0') + "Z";
  EXPECT_EQ(ParseLogTimestamp(stamp).value(), 1718000000.0);
  const std::string tiny = "2024-06-10T06:13:20." + std::string(400, '0') + "1Z";
  EXPECT_EQ(ParseLogTimestamp(tiny).error().message(),
            "expected a timestamp of at most 64 characters, found one of 422");
  EXPECT_EQ(ParseLogTimestamp("2024-06-10T06:13:20.123456789999Z").value(),
            1718000000.0 + 0.123456789);
}

TEST(PowerLogTest, ReadsHeaderCommentsBlankLinesAndCrlf) {
  const auto log = ParsePowerLog(
      "timestamp,watts\r\n# analyser: WT310E, 1 Hz\r\n\r\n1000.0, 100\r\n1001.0,110.5\r\n"
      "2024-06-10T06:13:20Z,90\n",
      "lab.csv");
  ASSERT_TRUE(log.has_value()) << log.error().ToString();
  ASSERT_EQ(log->samples.size(), 3u);
  EXPECT_EQ(log->samples[0].unix_s, 1000.0);
  EXPECT_EQ(log->samples[0].watts, 100.0);
  EXPECT_EQ(log->samples[0].line, 4);
  EXPECT_EQ(log->samples[1].watts, 110.5);
  EXPECT_EQ(log->samples[2].unix_s, 1718000000.0);
  EXPECT_EQ(log->samples[2].line, 6);
}

TEST(PowerLogTest, AnUnendedLastLineIsStillBeingWritten) {
  const auto log = ParsePowerLog("1000,100\n1001,100\n1002,1", "live.csv");
  ASSERT_TRUE(log.has_value()) << log.error().ToString();
  EXPECT_EQ(log->samples.size(), 2u);
  EXPECT_EQ(ParsePowerLog("1000,100", "live.csv").error().message(),
            "live.csv: no samples (expected lines of 'timestamp,watts')");
}

struct BadLog {
  const char* name;
  const char* text;
  const char* message;
};

class MalformedPowerLogTest : public ::testing::TestWithParam<BadLog> {};

TEST_P(MalformedPowerLogTest, NamesFileLineAndWhatWasExpected) {
  const auto log = ParsePowerLog(GetParam().text, "lab.csv");
  ASSERT_FALSE(log.has_value());
  EXPECT_EQ(log.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(log.error().message(), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Catalogue, MalformedPowerLogTest,
    ::testing::Values(
        BadLog{"three_fields", "1000,100\n1001,100,3\n",
               "lab.csv:2: expected two fields 'timestamp,watts', found '1001,100,3'"},
        BadLog{"one_field", "1000,100\n1001\n",
               "lab.csv:2: expected two fields 'timestamp,watts', found '1001'"},
        BadLog{"bad_watts", "1000,100\n1001,12W\n",
               "lab.csv:2: expected watts as a finite number >= 0, found '12W'"},
        BadLog{"negative_watts", "1000,-5\n",
               "lab.csv:1: expected watts as a finite number >= 0, found '-5'"},
        BadLog{"bad_timestamp", "1000,100\nyesterday,100\n",
               "lab.csv:2: expected a timestamp (Unix seconds like 1718000000.25, or ISO-8601 "
               "like 2024-06-10T06:13:20.25Z), found 'yesterday'"},
        BadLog{"header_not_first", "1000,100\ntimestamp,watts\n",
               "lab.csv:2: expected a timestamp (Unix seconds like 1718000000.25, or ISO-8601 "
               "like 2024-06-10T06:13:20.25Z), found 'timestamp'"},
        BadLog{"unsorted", "t,w\n1000,100\n1002,100\n1001,100\n",
               "lab.csv:4: timestamp 1001 is not after line 3's; the log must be in strictly "
               "increasing time (a merged or re-ordered log is refused, not sorted)"},
        BadLog{"duplicate_time", "1000,100\n1000,101\n",
               "lab.csv:2: timestamp 1000 is not after line 1's; the log must be in strictly "
               "increasing time (a merged or re-ordered log is refused, not sorted)"},
        BadLog{"no_samples", "timestamp,watts\n# nothing yet\n",
               "lab.csv: no samples (expected lines of 'timestamp,watts')"}),
    [](const ::testing::TestParamInfo<BadLog>& param_info) {
      return std::string(param_info.param.name);
    });

PowerLog Log(const std::vector<std::pair<double, double>>& samples) {
  PowerLog log{"lab.csv", {}};
  int line = 1;
  for (const auto& [t, watts] : samples) log.samples.push_back({t, watts, ++line});
  return log;
}

TEST(IntegratePowerLogTest, TrapezoidalOverTheOverlapOnly) {
  const PowerLog log = Log({{1000, 100}, {1001, 200}, {1002, 200}, {1003, 100}, {1004, 100}});
  const std::vector<TimeWindow> windows = {{1000.5, 1002.5}, {1003.5, 1004}};
  const auto reading = IntegratePowerLog(log, windows, 2);
  ASSERT_TRUE(reading.has_value()) << reading.error().ToString();
  // [1000.5, 1001]: (150 + 200) / 2 x 0.5; [1001, 1002]: 200; [1002, 1002.5]: (200 + 150) / 2 x
  // 0.5; [1003.5, 1004]: 100 x 0.5.
  EXPECT_DOUBLE_EQ(reading->joules, 87.5 + 200 + 87.5 + 50);
  EXPECT_DOUBLE_EQ(reading->covered_s, 2.5);
  EXPECT_DOUBLE_EQ(*reading->peak_watts, 200);
  EXPECT_EQ(reading->samples, 3);       // 1001, 1002, 1004
  EXPECT_EQ(reading->resolution_s, 1);  // the median interval
}

TEST(IntegratePowerLogTest, AGapOverTheMaximumAcrossAWindowIsNotMeasured) {
  const PowerLog log = Log({{1000, 100}, {1001, 100}, {1006, 100}, {1007, 100}});
  const std::vector<TimeWindow> inside = {{1003, 1004}};
  const auto reading = IntegratePowerLog(log, inside, 2);
  ASSERT_FALSE(reading.has_value());
  EXPECT_EQ(reading.error().code(), StatusCode::kUnavailable);
  EXPECT_EQ(reading.error().message(),
            "lab.csv has a gap of 5 s between t=1001 (line 3) and t=1006 (line 4) across a timed "
            "window; the profile allows 2 s (energy.max_gap_s)");
  // The same gap between two windows is harmless.
  const std::vector<TimeWindow> around = {{1000, 1001}, {1006, 1007}};
  EXPECT_TRUE(IntegratePowerLog(log, around, 2).has_value());
}

TEST(IntegratePowerLogTest, TheLogMustCoverTheWholeRegion) {
  const PowerLog log = Log({{1000, 100}, {1001, 100}, {1002, 100}});
  const std::vector<TimeWindow> windows = {{999.5, 1001}};
  EXPECT_EQ(IntegratePowerLog(log, windows, 2).error().message(),
            "lab.csv covers 1000 to 1002 (Unix time), not the timed window 999.5 to 1001: "
            "readings must cover the whole timed region");
}

class PowerLogMeterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() /
            ("lepton-power-" + std::to_string(::getpid()) + ".csv");
    std::ofstream out(path_);
    out << "timestamp,watts\n";
    for (int second = 0; second <= 10; ++second) out << 1000 + second << "," << 300 << "\n";
  }
  void TearDown() override { std::filesystem::remove(path_); }

  // A fake steady clock the test moves, and the wall clock 1000 s ahead of it.
  PowerLogOptions Options() {
    PowerLogOptions options;
    options.path = path_;
    options.tier = spec::EnergyTier::kBmc;
    options.max_gap_s = 2;
    options.settle_s = 0;
    options.steady_now = [this] { return steady_; };
    options.unix_now = [this] { return steady_ + 1000; };
    return options;
  }

  std::filesystem::path path_;
  double steady_ = 0;
};

TEST_F(PowerLogMeterTest, AlignsTheWindowsToTheLogsWallClock) {
  auto meter = OpenPowerLogMeter(Options());
  ASSERT_TRUE(meter.has_value());
  EXPECT_EQ((*meter)->info().tier, spec::EnergyTier::kBmc);
  EXPECT_EQ((*meter)->info().domains, (std::vector<std::string>{"system (BMC power reading)"}));
  ASSERT_TRUE((*meter)->Start().ok());
  std::vector<TimeWindow> windows(2);
  steady_ = 2;
  windows[0].begin_s = (*meter)->Mark();
  steady_ = 4.5;
  windows[0].end_s = (*meter)->Mark();
  steady_ = 6;
  windows[1].begin_s = (*meter)->Mark();
  steady_ = 7;
  windows[1].end_s = (*meter)->Mark();
  const auto reading = (*meter)->Stop(windows);
  ASSERT_TRUE(reading.has_value()) << reading.error().ToString();
  EXPECT_DOUBLE_EQ(reading->joules, 300 * 3.5);
  EXPECT_EQ(reading->samples, 5);  // 1002, 1003, 1004, 1006, 1007: edges count
}

TEST_F(PowerLogMeterTest, ALogEndingBeforeTheRegionIsNotMeasured) {
  auto meter = OpenPowerLogMeter(Options());
  ASSERT_TRUE((*meter)->Start().ok());
  std::vector<TimeWindow> windows(1);
  steady_ = 9;
  windows[0].begin_s = (*meter)->Mark();
  steady_ = 12;
  windows[0].end_s = (*meter)->Mark();
  const auto reading = (*meter)->Stop(windows);
  ASSERT_FALSE(reading.has_value());
  EXPECT_EQ(reading.error().message(),
            path_.string() +
                " covers 1000 to 1010 (Unix time), not the timed window 1009 to "
                "1012: readings must cover the whole timed region");
}

TEST_F(PowerLogMeterTest, OnlyAnalyserOrBmcWriteLogs) {
  PowerLogOptions options = Options();
  options.tier = spec::EnergyTier::kOnDieCounter;
  EXPECT_EQ(OpenPowerLogMeter(options).error().message(),
            "a power log comes from a power analyser or a BMC, not on-die-counter");
}

}  // namespace
}  // namespace lepton::bench
