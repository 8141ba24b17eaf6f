#include "bench/backends/cuda/device_wait.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <optional>
#include <vector>

namespace lepton::bench::cuda {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;

// Time passes only when the wait pauses; every pause is recorded.
struct FakeClock {
  nanoseconds time{0};
  std::vector<nanoseconds> pauses;
  [[nodiscard]] std::chrono::steady_clock::time_point now() const {
    return std::chrono::steady_clock::time_point(time);
  }
  void pause(nanoseconds duration) {
    pauses.push_back(duration);
    // A yield takes a little time too, or a wait that never ends would never time out.
    time += duration.count() == 0 ? nanoseconds(200) : duration;
  }
};

// Pending for `pending` polls, then `outcome`; never ends without one.
struct FakeQuery {
  int pending = 0;
  std::optional<DeviceStatus> outcome = DeviceStatus{};
  int polls = 0;
  std::optional<DeviceStatus> operator()() {
    if (++polls <= pending || !outcome) return std::nullopt;
    return outcome;
  }
};

TEST(DeviceWaitTest, WorkAlreadyDoneEndsTheWaitAtTheFirstPollWithoutPausing) {
  FakeQuery query;
  FakeClock clock;
  const DeviceStatus waited = WaitForDevice("TrainEpoch", 600, query, clock);
  EXPECT_TRUE(waited.ok()) << waited.error;
  EXPECT_EQ(query.polls, 1);
  EXPECT_TRUE(clock.pauses.empty());
}

TEST(DeviceWaitTest, WorkDoneAfterSomePollsEndsTheWaitAtThatPoll) {
  FakeQuery query{.pending = 5};
  FakeClock clock;
  const DeviceStatus waited = WaitForDevice("Forward", 600, query, clock);
  EXPECT_TRUE(waited.ok()) << waited.error;
  EXPECT_EQ(query.polls, 6);
  EXPECT_EQ(clock.pauses, std::vector<nanoseconds>(5, nanoseconds(0)));  // short: spinning
}

TEST(DeviceWaitTest, AnErrorOfTheWorkIsReturnedAsTheQueryWordedIt) {
  DeviceStatus lost;
  lost.error = "TrainEpoch: cudaEventQuery: cudaErrorLaunchFailure (unspecified launch failure)";
  FakeQuery query{.pending = 3, .outcome = lost};
  FakeClock clock;
  const DeviceStatus waited = WaitForDevice("TrainEpoch", 600, query, clock);
  EXPECT_EQ(waited.error, lost.error);
  EXPECT_FALSE(waited.hung);
  EXPECT_EQ(query.polls, 4);
}

TEST(DeviceWaitTest, WorkThatNeverEndsTimesOutNamingTheCallTheLimitAndTheVariable) {
  FakeQuery query{.outcome = std::nullopt};
  FakeClock clock;
  const DeviceStatus waited = WaitForDevice("TrainEpoch", 2.5, query, clock);
  EXPECT_TRUE(waited.hung);
  EXPECT_FALSE(waited.unavailable);
  EXPECT_EQ(waited.error,
            "TrainEpoch: the GPU's work has not completed within 2.5 s (LEPTON_DEVICE_TIMEOUT_S); "
            "the device is hung");
  // It gave up once the limit had passed, not long after, and queried once more after it.
  EXPECT_GE(clock.time, milliseconds(2500));
  EXPECT_LE(clock.time, milliseconds(2502));
  // Sleeping, not spinning, for most of it: about 1 ms pauses over 2.5 s, plus the spin.
  EXPECT_LT(query.polls, 2500 + 5000 + 400);
  EXPECT_EQ(static_cast<std::size_t>(query.polls), clock.pauses.size() + 1);
}

TEST(DeviceWaitTest, PausesSpinForAMillisecondThenGrowWithTheWaitUpToOneMillisecond) {
  EXPECT_EQ(PauseBeforeNextPoll(nanoseconds(0)), nanoseconds(0));
  EXPECT_EQ(PauseBeforeNextPoll(std::chrono::microseconds(999)), nanoseconds(0));
  EXPECT_EQ(PauseBeforeNextPoll(milliseconds(1)), nanoseconds(15625));
  EXPECT_EQ(PauseBeforeNextPoll(milliseconds(32)), std::chrono::microseconds(500));
  EXPECT_EQ(PauseBeforeNextPoll(milliseconds(64)), milliseconds(1));
  EXPECT_EQ(PauseBeforeNextPoll(std::chrono::seconds(600)), milliseconds(1));
}

TEST(DeviceWaitTest, TheRealClockEndsAWaitSoonAfterTheWork) {
  const auto start = std::chrono::steady_clock::now();
  const auto done_at = start + milliseconds(30);
  const DeviceStatus waited = WaitForDevice("Forward", 600, [&]() -> std::optional<DeviceStatus> {
    if (std::chrono::steady_clock::now() < done_at) return std::nullopt;
    return DeviceStatus{};
  });
  EXPECT_TRUE(waited.ok()) << waited.error;
  // A loose bound: within 1 ms in practice, but a loaded CI machine may not schedule us back.
  EXPECT_LT(std::chrono::steady_clock::now() - done_at, milliseconds(500));
}

TEST(DeviceWaitTest, TheRealClockTimesOutAWaitThatNeverEnds) {
  const auto start = std::chrono::steady_clock::now();
  const DeviceStatus waited =
      WaitForDevice("Forward", 0.05, [] { return std::optional<DeviceStatus>(); });
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(waited.hung);
  EXPECT_GE(took, milliseconds(50));
  EXPECT_LT(took, milliseconds(1000));
}

// Read as every limit from the environment is (conformance/core/environment_seconds_test.cc).
TEST(DeviceWaitTest, TheEnvironmentSetsTheLimit) {
  ::setenv("LEPTON_DEVICE_TIMEOUT_S", "0.25", 1);
  EXPECT_EQ(DeviceTimeoutFromEnvironment(), 0.25);
  ::setenv("LEPTON_DEVICE_TIMEOUT_S", "0", 1);
  EXPECT_EQ(DeviceTimeoutFromEnvironment(), kDefaultDeviceTimeoutS);
  ::unsetenv("LEPTON_DEVICE_TIMEOUT_S");
  EXPECT_EQ(DeviceTimeoutFromEnvironment(), kDefaultDeviceTimeoutS);
}

}  // namespace
}  // namespace lepton::bench::cuda
