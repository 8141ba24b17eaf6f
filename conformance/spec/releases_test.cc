#include "conformance/spec/releases.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lepton::spec {
namespace {

using ::testing::HasSubstr;

const std::string kDigest(64, 'a');

TEST(ParseReleases, ReadsVersionsAndSkipsComments) {
  auto releases = ParseReleases(
      "# comment\n\n1.0.0 " + kDigest + "\n1.1.0 " + std::string(64, '0') + "\n", "RELEASES");
  ASSERT_TRUE(releases.has_value()) << releases.error().message();
  EXPECT_EQ(releases->size(), 2U);
  EXPECT_EQ(releases->at("1.0.0"), kDigest);
}

TEST(ParseReleases, MalformedLinesNameTheLine) {
  auto short_digest = ParseReleases("# c\n1.0.0 abc\n", "RELEASES");
  ASSERT_FALSE(short_digest.has_value());
  EXPECT_THAT(short_digest.error().message(), HasSubstr("RELEASES:2: expected 'VERSION SHA256'"));
  EXPECT_FALSE(ParseReleases("1.0 " + kDigest + "\n", "R").has_value());
  EXPECT_FALSE(ParseReleases("1.0.0 " + kDigest + " extra\n", "R").has_value());
  EXPECT_FALSE(ParseReleases("1.0.0 " + std::string(64, 'A') + "\n", "R").has_value());
  auto twice = ParseReleases("1.0.0 " + kDigest + "\n1.0.0 " + kDigest + "\n", "R");
  ASSERT_FALSE(twice.has_value());
  EXPECT_THAT(twice.error().message(), HasSubstr("R:2: version 1.0.0 listed twice"));
}

}  // namespace
}  // namespace lepton::spec
