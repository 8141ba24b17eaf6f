#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

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

// The CPU threads a two-rank run on a two-CPU node records: one each while both ranks compute,
// both CPUs for rank 0 alone.
records::CpuThreads NodeShareOfTwo() {
  return {.per_rank = 1,
          .rank_zero_alone = 2,
          .source = std::string(records::kThreadsNodeShare),
          .apply = true,
          .node_cpus = 2,
          .local_ranks = 2};
}

TEST(CpuThreadsRenderingTest, BothRenderingsStateTheThreadsAndWhy) {
  Fixture fixture;
  fixture.report.run.cpu_threads = NodeShareOfTwo();
  const auto view = ParseReportView(ReportToJson(fixture.report), "report.json");
  ASSERT_TRUE(view.has_value()) << view.error().ToString();
  const std::string stated =
      "1 (rank 0 alone: 2; source: node share, 2 node CPUs over 2 local ranks)";
  EXPECT_EQ(view->cpu_threads, stated);
  EXPECT_THAT(RenderMarkdown(*view), HasSubstr("\nCPU threads per rank: " + stated + "\n"));
  EXPECT_THAT(RenderHtml(*view),
              HasSubstr("<tr><td>CPU threads per rank</td><td>" + stated + "</td></tr>"));
}

TEST(CpuThreadsRenderingTest, EachSourceIsSaidInWords) {
  Fixture fixture;
  const auto describe = [&](const records::CpuThreads& threads) {
    fixture.report.run.cpu_threads = threads;
    const auto view = ParseReportView(ReportToJson(fixture.report), "report.json");
    return view ? view->cpu_threads : view.error().ToString();
  };
  struct Case {
    records::CpuThreads threads;
    std::string words;
  };
  const auto threads = [](int count, std::string_view source, int node_cpus, int local_ranks) {
    return records::CpuThreads{.per_rank = count,
                               .rank_zero_alone = count,
                               .source = std::string(source),
                               .node_cpus = node_cpus,
                               .local_ranks = local_ranks};
  };
  const std::vector<Case> cases = {
      {threads(3, records::kThreadsFromOption, 16, 4),
       "3 (rank 0 alone: 3; source: --threads-per-rank; node: 16 CPUs, 4 local ranks)"},
      {threads(2, records::kThreadsFromOmpNumThreads, 16, 4),
       "2 (rank 0 alone: 2; source: OMP_NUM_THREADS, which the libraries read themselves; node: "
       "16 CPUs, 4 local ranks)"},
      {threads(8, records::kThreadsAloneOnNode, 8, 1),
       "8 (rank 0 alone: 8; source: one rank on the node, all its CPUs; node: 8 CPUs, 1 local "
       "rank)"},
      // A launcher bound each rank to 2 of the node's 16 CPUs: the share (8) is capped at those.
      {threads(2, records::kThreadsNodeShare, 16, 2),
       "2 (rank 0 alone: 2; source: node share, 16 node CPUs over 2 local ranks, capped at rank "
       "0's own 2 CPUs)"},
  };
  for (const Case& c : cases) EXPECT_EQ(describe(c.threads), c.words) << c.threads.source;
}

TEST(CpuThreadsRenderingTest, AReportWithoutThemSaysNotRecorded) {
  Fixture fixture;
  fixture.report.run.cpu_threads = NodeShareOfTwo();
  nlohmann::json json = nlohmann::json::parse(ReportToJson(fixture.report));
  json["run"].erase("cpu_threads");  // as written before the runner chose them
  const auto view = ParseReportView(json.dump(), "old.json");
  ASSERT_TRUE(view.has_value()) << view.error().ToString();
  EXPECT_EQ(view->cpu_threads, "not recorded");
  EXPECT_THAT(RenderMarkdown(*view), HasSubstr("\nCPU threads per rank: not recorded\n"));
  EXPECT_THAT(RenderHtml(*view),
              HasSubstr("<tr><td>CPU threads per rank</td><td>not recorded</td></tr>"));
}

TEST(CpuThreadsRenderingTest, AMalformedValueIsAnErrorNamingIt) {
  Fixture fixture;
  fixture.report.run.cpu_threads = NodeShareOfTwo();
  const nlohmann::json written = nlohmann::json::parse(ReportToJson(fixture.report));
  const nlohmann::json& threads = written["run"]["cpu_threads"];
  const auto error_with = [&](const nlohmann::json& cpu_threads) {
    nlohmann::json json = written;
    json["run"]["cpu_threads"] = cpu_threads;
    const auto view = ParseReportView(json.dump(), "r.json");
    return view ? "rendered: " + view->cpu_threads : view.error().message();
  };
  const auto changed = [&](const std::string& key, const nlohmann::json& value) {
    nlohmann::json json = threads;
    json[key] = value;
    return json;
  };
  nlohmann::json without_source = threads;
  without_source.erase("source");
  EXPECT_EQ(error_with("four"), "r.json: run.cpu_threads should be an object");
  EXPECT_EQ(error_with(nullptr), "r.json: run.cpu_threads should be an object");
  EXPECT_EQ(error_with(changed("per_rank", "four")),
            "r.json: run.cpu_threads.per_rank should be an integer");
  EXPECT_EQ(error_with(changed("local_ranks", 0)),
            "r.json: run.cpu_threads.local_ranks should be at least 1");
  EXPECT_EQ(error_with(changed("source", 7)), "r.json: run.cpu_threads.source should be a string");
  EXPECT_EQ(error_with(without_source), "r.json: run.cpu_threads.source is missing");
}

TEST(CpuThreadsRenderingTest, AnUnknownSourceIsShownAsWrittenAndEscaped) {
  Fixture fixture;
  fixture.report.run.cpu_threads = NodeShareOfTwo();
  fixture.report.run.cpu_threads.source = "<b>scheduler</b> | x";
  const auto view = ParseReportView(ReportToJson(fixture.report), "report.json");
  ASSERT_TRUE(view.has_value()) << view.error().ToString();
  EXPECT_EQ(view->cpu_threads,
            "1 (rank 0 alone: 2; source: <b>scheduler</b> | x; node: 2 CPUs, 2 local ranks)");
  EXPECT_THAT(RenderHtml(*view), HasSubstr("source: &lt;b&gt;scheduler&lt;/b&gt; | x;"));
  EXPECT_THAT(RenderMarkdown(*view), HasSubstr("source: &lt;b>scheduler&lt;/b> \\| x;"));
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

  fixture.workloads[0].runs[0].energy = records::EnergyEvidence{};
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

// GPU telemetry ---------------------------------------------------------------------------------

// The fixture's regression workload run on a GPU whose second timed run hit the power cap.
std::string ReportWithTelemetry(Fixture& fixture, bool throttled) {
  records::WorkloadRecord& record = fixture.workloads[0];
  record.device = "cuda";
  record.runs.push_back(record.runs[0]);
  record.runs[1].index = 1;
  record.runs[0].telemetry = GpuTelemetrySummary(false);
  record.runs[1].telemetry = GpuTelemetrySummary(throttled);
  record.telemetry = GpuTelemetrySummary(throttled, 2);
  return ReportToJson(fixture.report);
}

TEST(TelemetryRenderingTest, AThrottledWorkloadGetsAWarningBannerAndABadge) {
  Fixture fixture;
  const auto view = ParseReportView(ReportWithTelemetry(fixture, true), "report.json");
  ASSERT_TRUE(view.has_value()) << view.error().ToString();
  ASSERT_EQ(view->telemetry.size(), 1U);
  const TelemetryView& telemetry = view->telemetry[0];
  EXPECT_EQ(telemetry.workload, "regression");
  EXPECT_TRUE(telemetry.throttled);
  EXPECT_EQ(telemetry.throttled_runs, "2");
  EXPECT_EQ(telemetry.reasons, "gpu0: sw_power_cap 50%");
  EXPECT_EQ(telemetry.source, "libnvidia-ml.so.1 (driver 580.65.06), 10 Hz, 2 timed runs");
  ASSERT_EQ(telemetry.rows.size(), 2U);
  EXPECT_EQ(telemetry.rows[0].figures, "1410 / 1695 / 1980");
  EXPECT_EQ(telemetry.rows[1].figures, "not measured (Not Supported (NVML error 3))");

  const std::string html = RenderHtml(*view);
  EXPECT_THAT(html, HasSubstr("<div class=\"warn\">GPU throttled for heat or power during "
                              "regression (timed runs 2): gpu0: sw_power_cap 50%."));
  EXPECT_THAT(html, HasSubstr("<h3>regression <span class=\"badge\">throttled</span></h3>"));
  EXPECT_THAT(html, HasSubstr("<td>sm_clock_mhz (MHz)</td><td>2</td><td>1410 / 1695 / 1980</td>"));
  const std::string md = RenderMarkdown(*view);
  EXPECT_THAT(md, HasSubstr("> **Warning: GPU throttled for heat or power during regression** "
                            "(timed runs 2): gpu0: sw_power_cap 50%."));
  EXPECT_THAT(md, HasSubstr("| gpu0 | temperature_c (C) | 0 | not measured (Not Supported "
                            "(NVML error 3)) |"));
}

TEST(TelemetryRenderingTest, AnUnthrottledWorkloadHasItsTableButNoWarning) {
  Fixture fixture;
  const auto view = ParseReportView(ReportWithTelemetry(fixture, false), "report.json");
  ASSERT_TRUE(view.has_value()) << view.error().ToString();
  ASSERT_EQ(view->telemetry.size(), 1U);
  EXPECT_EQ(view->telemetry[0].reasons, "gpu0: none");
  const std::string html = RenderHtml(*view);
  EXPECT_THAT(html, HasSubstr("<h2>GPU telemetry</h2>"));
  EXPECT_THAT(html, Not(HasSubstr("class=\"warn\"")));
  EXPECT_THAT(html, Not(HasSubstr("class=\"badge\"")));
  EXPECT_THAT(RenderMarkdown(*view), Not(HasSubstr("Warning: GPU throttled")));
}

TEST(TelemetryRenderingTest, AReportWrittenBeforeTelemetryRendersAsItDidThen) {
  Fixture fixture;
  nlohmann::json json = nlohmann::json::parse(ReportToJson(fixture.report));
  const auto current = ParseReportView(json.dump(), "report.json");
  ASSERT_TRUE(current.has_value()) << current.error().ToString();
  for (auto& workload : json["workloads"]) {  // as written before telemetry was recorded
    workload.erase("telemetry");
    for (auto& run : workload["runs"]) run.erase("telemetry");
  }
  const auto old = ParseReportView(json.dump(), "old.json");
  ASSERT_TRUE(old.has_value()) << old.error().ToString();
  EXPECT_TRUE(old->telemetry.empty());
  EXPECT_EQ(RenderHtml(*old), RenderHtml(*current));
  EXPECT_EQ(RenderMarkdown(*old), RenderMarkdown(*current));
  EXPECT_THAT(RenderHtml(*old), Not(HasSubstr("GPU telemetry")));
}

}  // namespace
}  // namespace lepton::reports
