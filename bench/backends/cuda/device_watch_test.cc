#include "bench/backends/cuda/device_watch.h"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>

namespace lepton::bench::cuda {
namespace {

// Each pause moves time on by what was asked (a yield by a microsecond).
struct FakeClock {
  std::chrono::nanoseconds time{0};
  [[nodiscard]] std::chrono::steady_clock::time_point now() const {
    return std::chrono::steady_clock::time_point(time);
  }
  void pause(std::chrono::nanoseconds duration) {
    time += duration.count() == 0 ? std::chrono::microseconds(1) : duration;
  }
};

std::optional<DeviceStatus> Done() { return DeviceStatus{}; }
std::optional<DeviceStatus> Never() { return std::nullopt; }

TEST(DeviceWatchTest, AWorkingDeviceIsNeitherHungNorRefused) {
  DeviceWatch watch(600);
  EXPECT_TRUE(watch.Wait(0, "TrainEpoch", Done).ok());
  EXPECT_FALSE(watch.hung(0));
  EXPECT_TRUE(watch.Check(0, "Forward").ok());
  EXPECT_TRUE(watch.HungDevices().empty());
}

TEST(DeviceWatchTest, AnErrorIsNotAHang) {
  DeviceWatch watch(600);
  const DeviceStatus waited = watch.Wait(1, "TrainEpoch", [] {
    return std::optional<DeviceStatus>(DeviceStatus{"TrainEpoch: cudaEventQuery: lost"});
  });
  EXPECT_EQ(waited.error, "TrainEpoch: cudaEventQuery: lost");
  EXPECT_FALSE(watch.hung(1));
  EXPECT_TRUE(watch.Check(1, "Forward").ok());
}

TEST(DeviceWatchTest, ATimedOutWaitMarksItsDeviceHungAndEveryLaterCallOnItIsRefused) {
  DeviceWatch watch(1);
  FakeClock clock;
  const DeviceStatus waited = watch.Wait(2, "TrainEpoch", Never, clock);
  EXPECT_TRUE(waited.hung);
  EXPECT_EQ(waited.error,
            "TrainEpoch: the GPU's work has not completed within 1.0 s (LEPTON_DEVICE_TIMEOUT_S); "
            "the device is hung");
  EXPECT_TRUE(watch.hung(2));
  const DeviceStatus refused = watch.Check(2, "Forward");
  EXPECT_TRUE(refused.hung);
  EXPECT_EQ(refused.error,
            "Forward: refused, cuda:2 hung earlier in this run (TrainEpoch did not complete within "
            "1.0 s, LEPTON_DEVICE_TIMEOUT_S)");
  // Other devices of the process still work.
  EXPECT_FALSE(watch.hung(0));
  EXPECT_TRUE(watch.Check(0, "Forward").ok());
  EXPECT_TRUE(watch.Wait(0, "Forward", Done).ok());
  EXPECT_EQ(watch.HungDevices(),
            std::vector<std::string>{
                "cuda:2 hung: TrainEpoch did not complete within 1.0 s (LEPTON_DEVICE_TIMEOUT_S)"});
}

TEST(DeviceWatchTest, TheFirstHangOfADeviceIsTheOneReported) {
  DeviceWatch watch(0.5);
  FakeClock clock;
  (void)watch.Wait(0, "SetResidentInputs", Never, clock);
  (void)watch.Wait(0, "ForwardResident", Never, clock);
  (void)watch.Wait(1, "Sgd", Never, clock);
  EXPECT_EQ(watch.HungDevices(),
            (std::vector<std::string>{"cuda:0 hung: SetResidentInputs did not complete within "
                                      "0.5 s (LEPTON_DEVICE_TIMEOUT_S)",
                                      "cuda:1 hung: Sgd did not complete within 0.5 s "
                                      "(LEPTON_DEVICE_TIMEOUT_S)"}));
}

}  // namespace
}  // namespace lepton::bench::cuda
