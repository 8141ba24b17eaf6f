#include "bench/energy/rapl_meter.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <thread>

namespace lepton::bench {
namespace {

namespace fs = std::filesystem;

// A fake /sys/class/powercap: the layout of a one-socket server (package with core and dram
// subzones) plus a platform zone that overlaps the package and must not be added.
class FakePowercap {
 public:
  FakePowercap() {
    std::string pattern = (fs::temp_directory_path() / "lepton-powercap-XXXXXX").string();
    root_ = ::mkdtemp(pattern.data());
    fs::permissions(root_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                               fs::perms::others_read | fs::perms::others_exec);
    fs::create_directories(root_ / "intel-rapl");  // the control type: no counters of its own
    Zone("intel-rapl:0", "package-0", 1000000, 100);
    Zone("intel-rapl:0:0", "core", 1000000, 40);
    Zone("intel-rapl:0:1", "dram", 500000, 50);
    Zone("intel-rapl:1", "psys", 1000000, 900);
  }
  ~FakePowercap() { fs::remove_all(root_); }

  void Zone(const std::string& id, const std::string& name, std::uint64_t range,
            std::uint64_t energy) {
    fs::create_directories(root_ / id);
    Write(id, "name", name);
    Write(id, "max_energy_range_uj", std::to_string(range));
    Write(id, "energy_uj", std::to_string(energy));
  }
  // Replaced by rename, as sysfs shows a whole value: a concurrent read never sees half a write.
  void Write(const std::string& zone, const std::string& file, const std::string& text) {
    const fs::path target = root_ / zone / file;
    const fs::path temporary = root_ / zone / (file + ".new");
    std::ofstream(temporary) << text << "\n";
    fs::permissions(temporary, fs::perms::owner_read | fs::perms::owner_write |
                                   fs::perms::group_read | fs::perms::others_read);
    fs::rename(temporary, target);
  }
  [[nodiscard]] const fs::path& root() const { return root_; }

 private:
  fs::path root_;
};

// Slow enough that the sampling thread never reads between the test's own writes and marks.
RaplOptions Options(const fs::path& root) { return RaplOptions{root, 0.2, 2}; }

// RAPL counters update about every millisecond, and the meter reads at an edge only when an
// update may have come since its last read: the test lets one come, as time does on a machine.
double MarkAfterAnUpdate(EnergyMeter& meter) {
  std::this_thread::sleep_for(std::chrono::milliseconds(3));
  return meter.Mark();
}

TEST(RaplUnwrapTest, DeltaAcrossTheRange) {
  EXPECT_EQ(UnwrappedDeltaMicrojoules(100, 250, 1000), 150u);
  EXPECT_EQ(UnwrappedDeltaMicrojoules(900, 100, 1000), 200u);  // wrapped once
  EXPECT_EQ(UnwrappedDeltaMicrojoules(1000, 0, 1000), 0u);
  EXPECT_EQ(UnwrappedDeltaMicrojoules(7, 7, 1000), 0u);
}

TEST(RaplMeterTest, PackageAndDramOnlyWithTheirMethod) {
  FakePowercap powercap;
  auto meter = OpenRaplMeter(Options(powercap.root()));
  ASSERT_TRUE(meter.has_value()) << meter.error().ToString();
  const MeterInfo& info = (*meter)->info();
  EXPECT_EQ(info.name, "rapl");
  EXPECT_EQ(info.tier, spec::EnergyTier::kOnDieCounter);
  EXPECT_EQ(info.domains, (std::vector<std::string>{"package-0", "dram-0"}));
  EXPECT_EQ(info.source, powercap.root().string());
  EXPECT_EQ(info.sample_hz, 0.2);
}

TEST(RaplMeterTest, WindowEnergyIsTheCounterDifferenceSummedOverDomains) {
  FakePowercap powercap;
  auto meter = OpenRaplMeter(Options(powercap.root()));
  ASSERT_TRUE(meter.has_value()) << meter.error().ToString();
  ASSERT_TRUE((*meter)->Start().ok());
  std::vector<TimeWindow> windows(2);
  windows[0].begin_s = MarkAfterAnUpdate(**meter);
  powercap.Write("intel-rapl:0", "energy_uj", "600100");    // +600,000 uJ
  powercap.Write("intel-rapl:0:1", "energy_uj", "100050");  // +100,000 uJ
  powercap.Write("intel-rapl:0:0", "energy_uj", "999999");  // core: inside the package
  powercap.Write("intel-rapl:1", "energy_uj", "999999");    // psys: overlaps the package
  windows[0].end_s = MarkAfterAnUpdate(**meter);
  // Untimed work between the windows is not attributed.
  powercap.Write("intel-rapl:0", "energy_uj", "900100");
  windows[1].begin_s = MarkAfterAnUpdate(**meter);
  powercap.Write("intel-rapl:0", "energy_uj", "900200");
  windows[1].end_s = MarkAfterAnUpdate(**meter);
  const auto reading = (*meter)->Stop(windows);
  ASSERT_TRUE(reading.has_value()) << reading.error().ToString();
  EXPECT_NEAR(reading->joules, 0.7 + 0.0001, 1e-12);
}

TEST(RaplMeterTest, CountersWrapAtTheirRange) {
  FakePowercap powercap;
  powercap.Zone("intel-rapl:0", "package-0", 1000000, 999000);
  auto meter = OpenRaplMeter(Options(powercap.root()));
  ASSERT_TRUE(meter.has_value()) << meter.error().ToString();
  ASSERT_TRUE((*meter)->Start().ok());
  std::vector<TimeWindow> windows(1);
  windows[0].begin_s = MarkAfterAnUpdate(**meter);
  powercap.Write("intel-rapl:0", "energy_uj", "500");   // wrapped: 1,000 + 500 uJ
  powercap.Write("intel-rapl:0:1", "energy_uj", "20");  // wrapped: 499,950 + 20 uJ
  windows[0].end_s = MarkAfterAnUpdate(**meter);
  const auto reading = (*meter)->Stop(windows);
  ASSERT_TRUE(reading.has_value()) << reading.error().ToString();
  EXPECT_NEAR(reading->joules, (1500 + 499970) * 1e-6, 1e-12);
}

TEST(RaplMeterTest, RootOnlyCountersSayWhyAndWhatToDo) {
  FakePowercap powercap;
  // Real counters are 0400 root; no permission at all denies the owner too when not root.
  fs::permissions(powercap.root() / "intel-rapl:0" / "energy_uj", fs::perms::none);
  // Root reads any file: drop to nobody for the attempt, as an ordinary user runs the tool.
  const bool was_root = ::geteuid() == 0;
  if (was_root) {
    ASSERT_EQ(::seteuid(65534), 0);
  }
  auto meter = OpenRaplMeter(Options(powercap.root()));
  if (was_root) {
    ASSERT_EQ(::seteuid(0), 0);
  }
  ASSERT_FALSE(meter.has_value());
  EXPECT_EQ(meter.error().code(), StatusCode::kUnavailable);
  EXPECT_EQ(meter.error().message(),
            "permission denied reading " + (powercap.root() / "intel-rapl:0/energy_uj").string() +
                ": RAPL energy counters are root-only since Linux 5.10 (CVE-2020-8694); run as "
                "root or grant read access to energy_uj (e.g. chmod a+r, or a udev rule)");
}

TEST(RaplMeterTest, NoPowercapOrNoRaplDomains) {
  const auto missing = OpenRaplMeter(Options("/nonexistent/powercap"));
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().message(),
            "/nonexistent/powercap does not exist: this kernel or VM exposes no powercap RAPL");
  FakePowercap empty;
  for (const char* zone : {"intel-rapl:0", "intel-rapl:0:0", "intel-rapl:0:1", "intel-rapl:1"}) {
    fs::remove_all(empty.root() / zone);
  }
  const auto none = OpenRaplMeter(Options(empty.root()));
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error().message(),
            empty.root().string() +
                " has no intel-rapl package or DRAM domains (RAPL is not exposed: a VM, or no "
                "intel_rapl driver)");
  FakePowercap platform_only;
  for (const char* zone : {"intel-rapl:0", "intel-rapl:0:0", "intel-rapl:0:1"}) {
    fs::remove_all(platform_only.root() / zone);
  }
  EXPECT_EQ(OpenRaplMeter(Options(platform_only.root())).error().message(),
            platform_only.root().string() +
                " has no intel-rapl package or DRAM domains (found only intel-rapl:1 (psys))");
}

TEST(RaplMeterTest, MalformedCountersAreDataLossNamingTheFile) {
  FakePowercap powercap;
  powercap.Write("intel-rapl:0:1", "energy_uj", "12ab");
  const auto garbled = OpenRaplMeter(Options(powercap.root()));
  ASSERT_FALSE(garbled.has_value());
  EXPECT_EQ(garbled.error().code(), StatusCode::kDataLoss);
  EXPECT_EQ(garbled.error().message(),
            (powercap.root() / "intel-rapl:0:1/energy_uj").string() +
                ": expected a whole number of microjoules, found '12ab'");

  FakePowercap beyond;
  auto meter = OpenRaplMeter(Options(beyond.root()));
  ASSERT_TRUE(meter.has_value());
  ASSERT_TRUE((*meter)->Start().ok());
  std::vector<TimeWindow> windows(1);
  windows[0].begin_s = MarkAfterAnUpdate(**meter);
  beyond.Write("intel-rapl:0", "energy_uj", "1000001");
  windows[0].end_s = MarkAfterAnUpdate(**meter);
  const auto reading = (*meter)->Stop(windows);
  ASSERT_FALSE(reading.has_value());
  EXPECT_EQ(reading.error().message(), (beyond.root() / "intel-rapl:0/energy_uj").string() +
                                           ": 1000001 exceeds max_energy_range_uj 1000000");
}

}  // namespace
}  // namespace lepton::bench
