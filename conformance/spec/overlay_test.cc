#include "conformance/spec/overlay.h"

#include <gtest/gtest.h>

#include "conformance/spec/spec_loader.h"
#include "conformance/spec/test_spec_source.h"

namespace lepton::spec {
namespace {

Spec LoadValid() { return LoadSpec(MapSource({{"lepton.yaml", ValidSpecText()}})).value(); }

Status Apply(const std::string& thresholds) {
  Spec spec = LoadValid();
  const auto overlay = ParseOverlay(
      "overlay: acme\nspec: test-spec\nsystem: {name: Acme X9}\n"
      "thresholds:\n" +
          thresholds,
      "overlay.yaml");
  if (!overlay) return overlay.error();
  return ApplyOverlay(*overlay, spec);
}

TEST(OverlayTest, TightensThreshold) {
  Spec spec = LoadValid();
  const auto overlay = ParseOverlay(
      "overlay: acme\nspec: test-spec\nsystem: {name: Acme X9}\nthresholds:\n"
      "  PERF-ROWS: {cpu: 500}\n",
      "overlay.yaml");
  ASSERT_TRUE(overlay.has_value()) << overlay.error().ToString();
  ASSERT_TRUE(ApplyOverlay(*overlay, spec).ok());
  EXPECT_EQ(std::get<double>(spec.FindRequirement("PERF-ROWS")->threshold.For("cpu")->value), 500);
  EXPECT_EQ(std::get<double>(spec.FindRequirement("PERF-ROWS")->threshold.For("ci")->value), 10);
  EXPECT_EQ(overlay->system.at("name"), "Acme X9");
}

TEST(OverlayTest, RejectsLoosening) {
  EXPECT_EQ(Apply("  IF-CORES: {cpu: 0}\n").message(),
            "overlay.yaml:5:19: loosens the MUST threshold of IF-CORES for profile cpu (>= 1 -> "
            "0); an overlay may only tighten thresholds");
}

TEST(OverlayTest, RejectsUnknownsAndWrongTypes) {
  EXPECT_EQ(Apply("  NOPE: {cpu: 1}\n").message(), "overlay.yaml:5:15: unknown requirement 'NOPE'");
  EXPECT_EQ(Apply("  IF-CORES: {gpx: 2}\n").message(), "overlay.yaml:5:19: unknown profile 'gpx'");
  EXPECT_EQ(Apply("  PERF-ROWS: {gpu: 2000}\n").message(),
            "overlay.yaml:5:20: requirement 'PERF-ROWS' has no threshold for profile 'gpu'; an "
            "overlay cannot add requirements to a profile");
  EXPECT_EQ(Apply("  IF-CORES: {cpu: many}\n").message(),
            "overlay.yaml:5:19: threshold: expected a number, found 'many'");
}

TEST(OverlayTest, RejectsOtherSpec) {
  Spec spec = LoadValid();
  const auto overlay = ParseOverlay("overlay: acme\nspec: other\n", "o.yaml");
  ASSERT_TRUE(overlay.has_value());
  EXPECT_EQ(ApplyOverlay(*overlay, spec).message(),
            "o.yaml: overlay is for spec 'other', not 'test-spec'");
}

}  // namespace
}  // namespace lepton::spec
