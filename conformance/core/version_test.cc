#include "conformance/core/version.h"

#include <gtest/gtest.h>

namespace lepton {
namespace {

Version V(std::string_view text) { return Version::Parse(text).value(); }

TEST(VersionTest, ComparesComponentWise) {
  EXPECT_LT(V("12.4"), V("12.10"));
  EXPECT_GT(V("13.0"), V("12.99.99"));
  EXPECT_EQ(V("12"), V("12.0.0"));
  EXPECT_LT(V("2.28.3"), V("2.28.10"));
}

TEST(VersionTest, RejectsMalformed) {
  for (const char* bad : {"", "12.", ".1", "1..2", "v12", "12.4a", "-1"}) {
    EXPECT_FALSE(Version::Parse(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace lepton
