#include "tools/cli/hung_device_exit.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace lepton::cli {
namespace {

TEST(HungDeviceExitTest, ARunWhoseDevicesWorkedReturnsItsCode) {
  EXPECT_EQ(EndRun(0, {}), 0);
  EXPECT_EQ(EndRun(1, {}), 1);
}

// An exit handler stands for the teardown that would block on a hung GPU: if it ran, the process
// would end with 42 instead of the run's code.
[[noreturn]] void TeardownRan() { std::_Exit(42); }

TEST(HungDeviceExitDeathTest, ARunWhoseDeviceHungEndsWithItsCodeWithoutTeardown) {
  const std::vector<std::string> hung = {
      "cuda:0 hung: TrainEpoch did not complete within 1.0 s (LEPTON_DEVICE_TIMEOUT_S)"};
  EXPECT_EXIT(
      {
        std::atexit(TeardownRan);
        (void)EndRun(1, hung);
      },
      ::testing::ExitedWithCode(1),
      "lepton-cert: cuda:0 hung: TrainEpoch did not complete within 1.0 s "
      "\\(LEPTON_DEVICE_TIMEOUT_S\\)\nlepton-cert: ending with exit code 1 without releasing the "
      "GPU");
}

}  // namespace
}  // namespace lepton::cli
