#include "reports/json_report.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "reports/test_report_fixture.h"

namespace lepton::reports {
namespace {

using Json = nlohmann::ordered_json;

TEST(JsonReportTest, SchemaVersionFirstAndVerdictsWithEvidence) {
  Fixture fixture;
  const Json json = Json::parse(ReportToJson(fixture.report));
  EXPECT_EQ(json.begin().key(), "schema_version");
  EXPECT_EQ(json["schema_version"], "1.0.0");
  EXPECT_EQ(json["spec"]["sha256"], fixture.spec.sha256);
  EXPECT_EQ(json["spec"]["files"][0]["content"], spec::ValidSpecText());
  ASSERT_EQ(json["requirements"].size(), 2u);
  const Json& rows = json["requirements"][1];
  EXPECT_EQ(rows["id"], "PERF-ROWS");
  EXPECT_EQ(rows["threshold"]["value"], 10.0);
  EXPECT_EQ(rows["applies_if"]["text"], "ranks >= 2");
  EXPECT_EQ(rows["verdict"], "not-measured");
  EXPECT_EQ(rows["reason"], "the spec requires 2 runs, 1 measured");
  EXPECT_EQ(json["workloads"][0]["params"]["dataset.rows"], 200);
}

TEST(JsonReportTest, NvmlFactsSitBesideTheCudaDevicesWithNullForUnknown) {
  Fixture fixture;
  AddGpus(fixture.system);
  const Json json = Json::parse(ReportToJson(fixture.report));
  const Json& nvml = json["system"]["gpus"]["nvml"];
  EXPECT_EQ(nvml["library"], "libnvidia-ml.so.1");
  EXPECT_EQ(nvml["unavailable_reason"], "");
  EXPECT_EQ(nvml["driver_version"], "580.65.06");
  ASSERT_EQ(nvml["devices"].size(), 3u);
  const Json& first = nvml["devices"][0];
  EXPECT_EQ(first["cuda_ordinal"], 1);
  EXPECT_EQ(first["pci_bus_id"], "00000000:1B:00.0");
  EXPECT_EQ(first["mig_mode"], "disabled");
  EXPECT_EQ(first["persistence_mode"], true);
  EXPECT_EQ(first["power_limit_enforced_w"], 650.0);
  EXPECT_EQ(first["pcie_max_generation"], 5);
  EXPECT_EQ(first["nvlinks_active"], 18);
  EXPECT_EQ(first["sm_clock_max_mhz"], 1980);
  EXPECT_EQ(first["unknown"], Json::object());
  const Json& hidden = nvml["devices"][2];
  EXPECT_TRUE(hidden["cuda_ordinal"].is_null());
  EXPECT_TRUE(hidden["mig_mode"].is_null());
  EXPECT_TRUE(hidden["ecc_enabled"].is_null());
  EXPECT_EQ(hidden["unknown"]["mig_mode"],
            "nvmlDeviceGetMigMode: symbol not exported by this driver");

  Fixture without;  // no NVML: the reason, no devices
  without.system.gpus.nvml.library = "libnvidia-ml.so.1";
  without.system.gpus.nvml.unavailable_reason = "NVML not loadable (no NVIDIA driver?)";
  const Json absent = Json::parse(ReportToJson(without.report))["system"]["gpus"]["nvml"];
  EXPECT_EQ(absent["unavailable_reason"], "NVML not loadable (no NVIDIA driver?)");
  EXPECT_TRUE(absent["driver_version"].is_null());
  EXPECT_EQ(absent["devices"], Json::array());
}

TEST(JsonReportTest, NonFiniteNumbersBecomeNullWithReason) {
  Fixture fixture;
  const Json json = Json::parse(ReportToJson(fixture.report));
  const Json& run = json["workloads"][0]["runs"][0];
  EXPECT_TRUE(run["metrics"]["holdout_mse"].is_null());
  EXPECT_EQ(run["not_measured"]["holdout_mse"], "non-finite value (nan)");
  EXPECT_EQ(run["steps"][0]["seconds"], 0.25);
}

TEST(JsonReportTest, DoublesRoundTrip) {
  Fixture fixture;
  fixture.workloads[0].runs[0].metrics.values["rows_per_second"] = 0.1 + 0.2;
  const Json json = Json::parse(ReportToJson(fixture.report));
  EXPECT_EQ(json["workloads"][0]["runs"][0]["metrics"]["rows_per_second"].get<double>(), 0.1 + 0.2);
}

TEST(JsonReportTest, EnergyFiguresCarryTheirMethod) {
  EnergyFixture fixture;
  const Json json = Json::parse(ReportToJson(fixture.report));
  const Json& requirement = json["requirements"][0];
  EXPECT_EQ(requirement["kind"], "energy");
  EXPECT_EQ(requirement["methods"], Json::parse(R"(["analyser", "on-die-counter"])"));
  EXPECT_EQ(requirement["verdict"], "pass");
  const Json& energy = json["workloads"][0]["runs"][0]["energy"];
  EXPECT_EQ(energy["meter"], "rapl");
  EXPECT_EQ(energy["tier"], "on-die-counter");
  EXPECT_EQ(energy["domains"], Json::parse(R"(["package-0", "dram-0"])"));
  EXPECT_EQ(energy["samples"], 830);
  EXPECT_EQ(energy["sample_hz"], 20.0);
  EXPECT_EQ(energy["covered_s"], 41.0);
  EXPECT_EQ(energy["passes"], 2);
  EXPECT_EQ(energy["idle_watts"], 12.5);
  EXPECT_EQ(energy["idle_included"], true);
  EXPECT_TRUE(energy["not_measured_reason"].is_null());
  EXPECT_EQ(json["profile"]["energy"]["min_region_s"], 30.0);
  EXPECT_EQ(json["profile"]["energy"]["max_gap_s"], 1.5);
  // Runs whose energy nobody asked for carry no energy section.
  Fixture plain;
  EXPECT_TRUE(
      Json::parse(ReportToJson(plain.report))["workloads"][0]["runs"][0]["energy"].is_null());
  EXPECT_EQ(Json::parse(ReportToJson(plain.report))["requirements"][0]["methods"], Json::array());
}

TEST(JsonReportTest, WriteReportReplacesAtomically) {
  Fixture fixture;
  const auto path = std::filesystem::temp_directory_path() /
                    ("lepton_report_" + std::to_string(::getpid()) + ".json");
  ASSERT_TRUE(WriteReport(fixture.report, path).ok());
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), ReportToJson(fixture.report));
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace lepton::reports
