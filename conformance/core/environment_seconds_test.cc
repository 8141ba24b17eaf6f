#include "conformance/core/environment_seconds.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace lepton {
namespace {

constexpr const char* kVariable = "LEPTON_TEST_LIMIT_S";

TEST(EnvironmentSecondsTest, APositiveNumberIsTheLimit) {
  ::setenv(kVariable, "1", 1);
  EXPECT_EQ(PositiveSecondsFromEnvironment(kVariable, 7), 1.0);
  ::setenv(kVariable, "0.25", 1);
  EXPECT_EQ(PositiveSecondsFromEnvironment(kVariable, 7), 0.25);
  ::setenv(kVariable, "1e3", 1);
  EXPECT_EQ(PositiveSecondsFromEnvironment(kVariable, 7), 1000.0);
  ::unsetenv(kVariable);
}

// A value that would turn the limit off or that is not a number keeps the default: a limit is
// never disabled by a typo.
TEST(EnvironmentSecondsTest, AnythingElseKeepsTheDefault) {
  for (const char* ignored : {"soon", "0", "-3", "5s", ""}) {
    ::setenv(kVariable, ignored, 1);
    EXPECT_EQ(PositiveSecondsFromEnvironment(kVariable, 7), 7.0) << '"' << ignored << '"';
  }
  ::unsetenv(kVariable);
  EXPECT_EQ(PositiveSecondsFromEnvironment(kVariable, 7), 7.0);
}

}  // namespace
}  // namespace lepton
