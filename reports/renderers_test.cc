#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "reports/html_renderer.h"
#include "reports/json_report.h"
#include "reports/junit_renderer.h"
#include "reports/markdown_renderer.h"
#include "reports/report_view.h"
#include "reports/test_report_fixture.h"

namespace lepton::reports {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(ReportViewTest, ReadsTheCanonicalJsonBack) {
  Fixture fixture;
  const auto view = ParseReportView(ReportToJson(fixture.report), "report.json");
  ASSERT_TRUE(view.has_value()) << view.error().ToString();
  EXPECT_EQ(view->spec_id, "test-spec");
  EXPECT_EQ(view->profile, "ci");
  ASSERT_EQ(view->requirements.size(), 2u);
  EXPECT_EQ(view->requirements[1].id, "PERF-ROWS");
  EXPECT_EQ(view->requirements[1].verdict, "not-measured");
  EXPECT_EQ(view->requirements[1].threshold, "10.0");
  EXPECT_EQ(view->requirements[1].applies_if, "ranks >= 2");
  EXPECT_FALSE(view->certified);
}

TEST(ReportViewTest, GpusCombineCudaAndNvmlFactsByPciAddress) {
  Fixture fixture;
  AddGpus(fixture.system);
  const auto view = ParseReportView(ReportToJson(fixture.report), "report.json");
  ASSERT_TRUE(view.has_value()) << view.error().ToString();
  EXPECT_EQ(view->nvml, "NVML 13.580.65.06 (driver 580.65.06)");
  ASSERT_EQ(view->gpu_devices.size(), 3u);
  EXPECT_EQ(view->gpu_devices[0].label, "GPU 0: NVIDIA H100 80GB HBM3");
  // Ordinal 0 is NVML's second device (bus 2C): persistence off, MIG pending enabled.
  EXPECT_EQ(view->gpu_devices[0].summary,
            "compute capability 9.0; 79.6 GiB; 132 SMs; PCI 0000:2C:00.0; ECC on; persistence "
            "mode off; MIG disabled (after reset: enabled); power limit 650 W (default 700 W, "
            "settable 200 W to 700 W); PCIe gen 4 x16 (max gen 5 x16); active NVLinks 18; SM "
            "clock 345 MHz (max 1980 MHz); memory clock 2619 MHz (max 2619 MHz); ECC (NVML) on "
            "(pending on); UUID GPU-1");
  EXPECT_THAT(view->gpu_devices[1].summary, HasSubstr("persistence mode on; MIG disabled;"));
  EXPECT_EQ(view->gpu_devices[2].label,
            "NVML device 2 (not visible to CUDA): NVIDIA H100 80GB HBM3");
  EXPECT_THAT(view->gpu_devices[2].summary,
              HasSubstr("MIG unknown (nvmlDeviceGetMigMode: symbol not exported by this "
                        "driver); power limit"));

  const std::string md = RenderMarkdown(*view);
  EXPECT_THAT(md, HasSubstr("NVML: NVML 13.580.65.06 (driver 580.65.06)"));
  EXPECT_THAT(md, HasSubstr("- GPU 0: NVIDIA H100 80GB HBM3: compute capability 9.0;"));
  const std::string html = RenderHtml(*view);
  EXPECT_THAT(html, HasSubstr("<td>GPU 1: NVIDIA &lt;b&gt;H100&lt;/b&gt;</td>"));
  EXPECT_THAT(html, Not(HasSubstr("<b>H100")));
}

TEST(ReportViewTest, AReportWithoutNvmlShowsTheCudaDevicesAlone) {
  Fixture fixture;
  AddGpus(fixture.system);
  nlohmann::json json = nlohmann::json::parse(ReportToJson(fixture.report));
  json["system"]["gpus"].erase("nvml");  // as written before NVML was probed
  const auto view = ParseReportView(json.dump(), "old.json");
  ASSERT_TRUE(view.has_value()) << view.error().ToString();
  EXPECT_EQ(view->nvml, "");
  ASSERT_EQ(view->gpu_devices.size(), 2u);
  EXPECT_EQ(view->gpu_devices[0].summary,
            "compute capability 9.0; 79.6 GiB; 132 SMs; PCI 0000:2C:00.0; ECC on");
}

TEST(ReportViewTest, EnergyRequirementsCarryTheMethodOfTheirRuns) {
  EnergyFixture fixture;
  const auto view = ParseReportView(ReportToJson(fixture.report), "report.json");
  ASSERT_TRUE(view.has_value()) << view.error().ToString();
  const RequirementView& energy = view->requirements[0];
  EXPECT_EQ(energy.tier, "on-die-counter");
  EXPECT_EQ(energy.methods_accepted, "analyser, on-die-counter");
  EXPECT_EQ(energy.method,
            "on-die-counter: rapl (package-0, dram-0; from /sys/class/powercap); run 1: 830 "
            "readings at 20 Hz over 41 s of timed steps in 2 passes (minimum 30 s); idle 12.5 W "
            "over 5 s, included in the figures");

  fixture.workloads[0].runs[0].energy = bench::EnergyEvidence{};
  fixture.workloads[0].runs[0].energy->not_measured_reason = "RAPL: no powercap";
  const auto unmeasured = ParseReportView(ReportToJson(fixture.report), "report.json");
  ASSERT_TRUE(unmeasured.has_value()) << unmeasured.error().ToString();
  EXPECT_EQ(unmeasured->requirements[0].tier, "not measured");
  EXPECT_EQ(unmeasured->requirements[0].method, "not measured (run 1): RAPL: no powercap");
}

TEST(EnergyRenderingTest, TheMethodStandsBesideTheFigure) {
  EnergyFixture fixture;
  const ReportView view = ParseReportView(ReportToJson(fixture.report), "report.json").value();
  const std::string md = RenderMarkdown(view);
  EXPECT_THAT(md, HasSubstr("| median 0.002 J/sample [on-die-counter] |"));
  EXPECT_THAT(md, HasSubstr("- ENERGY-MLP (accepts analyser, on-die-counter): on-die-counter: "
                            "rapl (package-0, dram-0; from /sys/class/powercap); run 1: 830"));
  const std::string html = RenderHtml(view);
  EXPECT_THAT(html, HasSubstr("median 0.002 J/sample<br><small>on-die-counter: rapl (package-0, "
                              "dram-0; from /sys/class/powercap)"));
  EXPECT_THAT(html, HasSubstr("; accepts analyser, on-die-counter</small>"));
}

TEST(ReportViewTest, ErrorsNameThePlace) {
  EXPECT_THAT(ParseReportView("{\n  \"a\": ,\n}", "r.json").error().message(),
              HasSubstr("r.json:2:8: not valid JSON"));
  // Regression (report_fuzz): out_of_range, not parse_error, escaped and terminated the process.
  EXPECT_THAT(ParseReportView("{\"schema_version\": 4e467}", "r.json").error().message(),
              ::testing::StartsWith("r.json: not valid JSON: [json.exception.out_of_range.406]"));
  EXPECT_EQ(ParseReportView("{\"schema_version\": \"1.0.0\"}", "r.json").error().message(),
            "r.json: report.verdict is missing");
  EXPECT_EQ(ParseReportView("{\"schema_version\": \"9.0.0\"}", "r.json").error().message(),
            "r.json: schema_version '9.0.0' is not one this tool reads (1.0.0)");
}

ReportView Hostile() {
  ReportView view;
  view.spec_id = "spec<b>";
  view.profile = "ci";
  view.hostname = "host\"'&";
  const auto add = [&](const std::string& level, const std::string& verdict) {
    RequirementView r;
    r.id = "ID-" + level + "-" + verdict;
    r.kind = "performance";
    r.level = level;
    r.title = "<script>alert(\"x\")</script> | pipe & \x01 control";
    r.verdict = verdict;
    r.reason = "because <b>";
    r.op = ">=";
    r.threshold = "1";
    r.unit = "s";
    r.measured = verdict == "pass" || verdict == "fail" ? "2" : "";
    view.requirements.push_back(r);
  };
  add("MUST", "pass");
  add("MUST", "fail");
  add("MUST", "not-measured");
  add("MUST", "error");
  add("SHOULD", "fail");
  add("MUST", "not-applicable");
  return view;
}

TEST(MarkdownRendererTest, EscapesHostileStrings) {
  const std::string md = RenderMarkdown(Hostile());
  EXPECT_THAT(md, Not(HasSubstr("<script>")));
  EXPECT_THAT(md, HasSubstr("&lt;script>alert"));
  EXPECT_THAT(md, HasSubstr("\\| pipe &amp;"));
  EXPECT_THAT(md, Not(HasSubstr("\x01")));
  EXPECT_THAT(md, HasSubstr("| MUST | **fail** | value 2 s | >= 1 s | 0/0 | because &lt;b> |"));
}

TEST(HtmlRendererTest, EscapesHostileStringsAndFetchesNothing) {
  ReportView view = Hostile();
  view.series.push_back({"w<x>", 1, "test_accuracy", {0.5, 0.7, 0.9}});
  view.requirements[1].values = {"1", "3"};
  const std::string html = RenderHtml(view);
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, HasSubstr("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"));
  EXPECT_THAT(html, Not(HasSubstr("\x01")));
  EXPECT_THAT(html, Not(HasSubstr("http://")));
  EXPECT_THAT(html, Not(HasSubstr("https://")));
  EXPECT_THAT(html, HasSubstr("<polyline"));  // the curve
  EXPECT_THAT(html, HasSubstr("w&lt;x&gt;: test_accuracy"));
  EXPECT_THAT(html, HasSubstr("<circle"));  // the spread of two runs
  EXPECT_LT(html.find("NOT CERTIFIED"), html.find("<h2>Requirements"));
}

TEST(JUnitRendererTest, EnergyFailuresNameTheMethod) {
  ReportView view;
  RequirementView r;
  r.id = "ENERGY-X";
  r.kind = "energy";
  r.level = "MUST";
  r.verdict = "not-measured";
  r.reason = "joules_per_sample not measured in run 1: RAPL: no powercap";
  r.method = "not measured (run 1): RAPL: no powercap";
  view.requirements.push_back(r);
  EXPECT_THAT(RenderJUnit(view),
              HasSubstr("[energy method: not measured (run 1): RAPL: no powercap]"));
}

TEST(JUnitRendererTest, OneTestcasePerRequirementWithGatingSemantics) {
  const std::string xml = RenderJUnit(Hostile());
  EXPECT_THAT(xml, HasSubstr("tests=\"6\" failures=\"2\" errors=\"1\" skipped=\"2\""));
  EXPECT_THAT(xml, HasSubstr("<failure type=\"not-measured\""));
  EXPECT_THAT(xml, HasSubstr("<skipped message=\"SHOULD, not gating: "));
  EXPECT_THAT(xml, Not(HasSubstr("<script>")));
  EXPECT_THAT(xml, Not(HasSubstr("\x01")));
  EXPECT_THAT(xml, HasSubstr("hostname=\"host&quot;&#39;&amp;\""));
  EXPECT_THAT(xml, HasSubstr("(measured 2, threshold &gt;= 1 s)"));
}

}  // namespace
}  // namespace lepton::reports
