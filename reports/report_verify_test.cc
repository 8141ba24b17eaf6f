#include "reports/report_verify.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "reports/json_limits.h"
#include "reports/json_report.h"
#include "reports/signing.h"
#include "reports/test_report_fixture.h"

namespace lepton::reports {
namespace {

using Json = nlohmann::ordered_json;

struct Signed {
  KeyPair keys = GenerateKeyPair();
  std::string json;
  Signed() {
    Fixture fixture;
    json = SignReport(ReportToJson(fixture.report), keys.secret_hex, keys.public_hex).value();
  }
  [[nodiscard]] std::vector<VerifyCheck> Verify(const std::string& text) const {
    return VerifyReport(text, {keys.public_hex}).value();
  }
};

std::vector<std::string> Failures(const std::vector<VerifyCheck>& checks) {
  std::vector<std::string> failures;
  for (const VerifyCheck& check : checks) {
    if (!check.ok) failures.push_back(check.field + ": " + check.message);
  }
  return failures;
}

std::string Edit(const std::string& text, const std::function<void(Json&)>& edit) {
  Json json = Json::parse(text);
  edit(json);
  return json.dump(2);
}

TEST(ReportVerifyTest, UntouchedSignedReportVerifies) {
  const Signed report;
  const auto checks = report.Verify(report.json);
  EXPECT_THAT(Failures(checks), ::testing::IsEmpty());
  EXPECT_EQ(checks.size(), 4u);  // signature, spec, descriptive, requirements
}

TEST(ReportVerifyTest, EditedVerdictBreaksTheSignatureAndTheRecomputation) {
  const Signed report;
  const std::string edited =
      Edit(report.json, [](Json& j) { j["requirements"][1]["verdict"] = "pass"; });
  EXPECT_THAT(Failures(report.Verify(edited)),
              ::testing::ElementsAre(
                  "signature.signed_sha256: the signed content changed after signing (digest "
                  "differs)",
                  "requirements[1].verdict: PERF-ROWS: pass in the report, not-measured "
                  "recomputed"));
  // Re-signed by the key holder, the edit still cannot pass: the verdict is recomputed.
  const std::string resigned =
      SignReport(edited, report.keys.secret_hex, report.keys.public_hex).value();
  EXPECT_THAT(Failures(report.Verify(resigned)),
              ::testing::ElementsAre("requirements[1].verdict: PERF-ROWS: pass in the report, "
                                     "not-measured recomputed"));
}

TEST(ReportVerifyTest, EnergyVerdictsRecomputeWithTheRecordedMethod) {
  const KeyPair keys = GenerateKeyPair();
  EnergyFixture fixture;
  const std::string json =
      SignReport(ReportToJson(fixture.report), keys.secret_hex, keys.public_hex).value();
  EXPECT_THAT(Failures(VerifyReport(json, {keys.public_hex}).value()), ::testing::IsEmpty());
  // Claiming another method than the one measured changes what the judge may accept.
  const std::string edited = Edit(
      json, [](Json& j) { j["workloads"][0]["runs"][0]["energy"]["tier"] = "on-die-sampled"; });
  const std::string resigned = SignReport(edited, keys.secret_hex, keys.public_hex).value();
  EXPECT_THAT(Failures(VerifyReport(resigned, {keys.public_hex}).value()),
              ::testing::ElementsAre("requirements[0].verdict: ENERGY-MLP: pass in the report, "
                                     "not-measured recomputed",
                                     "requirements[0].statistic_value: ENERGY-MLP: 0.002 in the "
                                     "report, null recomputed",
                                     "verdict.certified: the report says certified, the "
                                     "recomputed verdicts say not certified"));
}

TEST(ReportVerifyTest, AnInterruptedRunCannotClaimCertification) {
  const KeyPair keys = GenerateKeyPair();
  EnergyFixture fixture;
  ASSERT_TRUE(fixture.report.summary.certified);
  fixture.report.run.interrupted_by = "SIGINT";
  // Every verdict passed, but the run did not finish: certified is a forgery.
  const std::string forged =
      SignReport(ReportToJson(fixture.report), keys.secret_hex, keys.public_hex).value();
  EXPECT_THAT(Failures(VerifyReport(forged, {keys.public_hex}).value()),
              ::testing::ElementsAre("verdict.certified: the report says certified, the "
                                     "recomputed verdicts say not certified"));
  fixture.report.summary =
      judge::Summarize(fixture.plan.requirements, fixture.report.verdicts, "interrupted by SIGINT");
  const std::string honest =
      SignReport(ReportToJson(fixture.report), keys.secret_hex, keys.public_hex).value();
  EXPECT_THAT(Failures(VerifyReport(honest, {keys.public_hex}).value()), ::testing::IsEmpty());
}

TEST(ReportVerifyTest, EditedMeasurementIsCaught) {
  const Signed report;
  const std::string edited = Edit(report.json, [](Json& j) {
    j["workloads"][0]["runs"][0]["metrics"]["rows_per_second"] = 1.0;
  });
  EXPECT_THAT(Failures(report.Verify(edited)),
              ::testing::Contains(::testing::HasSubstr("signature.signed_sha256")));
}

TEST(ReportVerifyTest, EditedSpecIsCaught) {
  const Signed report;
  const std::string edited = Edit(report.json, [](Json& j) {
    std::string content = j["spec"]["files"][0]["content"];
    content.replace(content.find("ci: 10"), 6, "ci: 1");
    j["spec"]["files"][0]["content"] = content;
  });
  EXPECT_THAT(
      Failures(report.Verify(edited)),
      ::testing::IsSupersetOf({"spec.files[0]: lepton.yaml: content differs from its digest",
                               "spec.sha256: the embedded spec files do not give this "
                               "digest"}));
}

TEST(ReportVerifyTest, UntrustedKeyAndUnsignedReport) {
  const Signed report;
  const KeyPair other = GenerateKeyPair();
  const auto untrusted = VerifyReport(report.json, {other.public_hex}).value();
  EXPECT_THAT(Failures(untrusted),
              ::testing::ElementsAre(::testing::StartsWith("signature.public_key: signed by ")));
  Fixture fixture;
  EXPECT_THAT(Failures(report.Verify(ReportToJson(fixture.report))),
              ::testing::ElementsAre("signature: the report is not signed"));
}

TEST(ReportVerifyTest, DescriptiveFieldsAreOutsideTheSignature) {
  const Signed report;
  const std::string edited =
      Edit(report.json, [](Json& j) { j["descriptive"]["fields"]["notes"] = "rack 7"; });
  EXPECT_THAT(Failures(report.Verify(edited)),
              ::testing::ElementsAre("descriptive.sha256: descriptive fields were edited after "
                                     "their hash was taken"));
}

TEST(ReportVerifyTest, MalformedJsonIsAnError) { EXPECT_FALSE(VerifyReport("{", {}).has_value()); }

// A deep "[[[[..." used to overflow the stack in nlohmann::json's recursive copy; the nesting
// is now refused before parsing. Brackets inside strings do not count.
TEST(ReportVerifyTest, DeeplyNestedJsonIsRefusedBeforeParsing) {
  const std::string deep = "{\"x\": " + std::string(200000, '[') + std::string(200000, ']') + "}";
  const auto checks = VerifyReport(deep, {});
  ASSERT_FALSE(checks.has_value());
  EXPECT_EQ(checks.error().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(checks.error().message(),
            "report: byte 69: JSON nested deeper than the limit of 64 levels");
  EXPECT_TRUE(
      CheckJsonLimits(
          R"({"s": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["})",
          "r.json")
          .ok());
}

// Regression (report_fuzz): a number beyond double is nlohmann's out_of_range, not a parse_error;
// it escaped the parse and terminated the process.
TEST(ReportVerifyTest, NumberBeyondDoubleIsAnErrorNotACrash) {
  const auto checks = VerifyReport(R"({"schema_version": "1.0.0", "x": 4e467})", {});
  ASSERT_FALSE(checks.has_value());
  EXPECT_EQ(checks.error().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(checks.error().message(), ::testing::HasSubstr("number overflow parsing '4e467'"));
  const KeyPair keys = GenerateKeyPair();
  EXPECT_FALSE(SignReport("[1e999]", keys.secret_hex, keys.public_hex).has_value());
}

TEST(ReportVerifyTest, TelemetryIsSignedAndAReportWithoutItStillVerifies) {
  const KeyPair keys = GenerateKeyPair();
  Fixture fixture;
  fixture.workloads[0].runs[0].telemetry = GpuTelemetrySummary(true);
  fixture.workloads[0].telemetry = GpuTelemetrySummary(true);
  const std::string json =
      SignReport(ReportToJson(fixture.report), keys.secret_hex, keys.public_hex).value();
  EXPECT_THAT(Failures(VerifyReport(json, {keys.public_hex}).value()), ::testing::IsEmpty());
  // Hiding the throttling after signing breaks the signature: telemetry is not descriptive.
  const std::string hidden = Edit(
      json, [](Json& j) { j["workloads"][0]["telemetry"]["thermal_or_power_throttled"] = false; });
  EXPECT_THAT(Failures(VerifyReport(hidden, {keys.public_hex}).value()),
              ::testing::Contains(::testing::HasSubstr("signature.signed_sha256")));
  // A report signed before telemetry was recorded (no such keys at all) verifies.
  Json old = Json::parse(ReportToJson(Fixture().report));
  for (auto& workload : old["workloads"]) {
    workload.erase("telemetry");
    for (auto& run : workload["runs"]) run.erase("telemetry");
  }
  const std::string old_signed = SignReport(old.dump(2), keys.secret_hex, keys.public_hex).value();
  EXPECT_THAT(Failures(VerifyReport(old_signed, {keys.public_hex}).value()), ::testing::IsEmpty());
}

TEST(ReportVerifyTest, TelemetryFlagsAndGpuThrottledAreCheckedAgainstTheReasonsListed) {
  const KeyPair keys = GenerateKeyPair();
  Fixture fixture;
  fixture.workloads[0].runs[0].telemetry = GpuTelemetrySummary(true);
  fixture.workloads[0].runs[0].metrics.values["gpu_throttled"] = true;
  fixture.workloads[0].telemetry = GpuTelemetrySummary(true);
  const std::string json = ReportToJson(fixture.report);
  const auto verify = [&](const std::function<void(Json&)>& edit) {
    // Re-signed by the key holder: only the consistency checks can catch the edit.
    const std::string edited =
        SignReport(Edit(json, edit), keys.secret_hex, keys.public_hex).value();
    return Failures(VerifyReport(edited, {keys.public_hex}).value());
  };
  EXPECT_THAT(verify([](Json&) {}), ::testing::IsEmpty());
  EXPECT_THAT(
      verify([](Json& j) { j["workloads"][0]["runs"][0]["metrics"]["gpu_throttled"] = false; }),
      ::testing::ElementsAre("workloads[0].runs[0].metrics.gpu_throttled: false in the report, "
                             "the run's telemetry says true"));
  EXPECT_THAT(verify([](Json& j) {
                j["workloads"][0]["telemetry"]["gpus"][0]["thermal_or_power_throttled"] = false;
                j["workloads"][0]["telemetry"]["thermal_or_power_throttled"] = false;
              }),
              ::testing::ElementsAre("workloads[0].telemetry.gpus[0]: thermal_or_power_throttled "
                                     "is false but the reasons listed say true",
                                     "workloads[0].telemetry.thermal_or_power_throttled: is false "
                                     "but its GPUs' reasons say true"));
}

}  // namespace
}  // namespace lepton::reports
