#include "bench/energy/sampling_thread.h"

#include <gtest/gtest.h>

#include <atomic>

namespace lepton::bench {
namespace {

using std::chrono::milliseconds;

TEST(SamplingThreadTest, TicksAtTheStatedRate) {
  std::atomic<int> ticks = 0;
  SamplingThread thread;
  thread.Start(milliseconds(10), [&] { ++ticks; });
  std::this_thread::sleep_for(milliseconds(300));
  thread.Stop();
  const int seen = ticks.load();
  // 30 periods; a loaded 2-core machine may lose a few ticks, never gain many.
  EXPECT_GE(seen, 15);
  EXPECT_LE(seen, 31);
  std::this_thread::sleep_for(milliseconds(30));
  EXPECT_EQ(ticks.load(), seen) << "no tick after Stop";
}

TEST(SamplingThreadTest, StopWakesASlowSamplerAtOnce) {
  std::atomic<int> ticks = 0;
  SamplingThread thread;
  thread.Start(std::chrono::seconds(30), [&] { ++ticks; });
  std::this_thread::sleep_for(milliseconds(5));
  const auto before = std::chrono::steady_clock::now();
  thread.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - before, milliseconds(500));
  EXPECT_EQ(ticks.load(), 0);
}

TEST(SamplingThreadTest, RestartsAndStopsOnDestruction) {
  std::atomic<int> ticks = 0;
  {
    SamplingThread thread;
    thread.Start(milliseconds(1), [&] { ++ticks; });
    thread.Start(milliseconds(1), [&] { ++ticks; });  // stops the first
    std::this_thread::sleep_for(milliseconds(20));
  }
  const int seen = ticks.load();
  EXPECT_GT(seen, 0);
  std::this_thread::sleep_for(milliseconds(10));
  EXPECT_EQ(ticks.load(), seen);
}

}  // namespace
}  // namespace lepton::bench
