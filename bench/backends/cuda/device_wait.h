#pragma once
// A bounded wait for a CUDA device. cudaStreamSynchronize and cudaDeviceSynchronize have no
// timeout: a kernel that never finishes (a GPU fault that hangs, a stuck device) would block
// lepton-cert forever. Instead a caller records an event after its work and WaitForDevice polls
// it (cudaEventQuery, passed in as `query`) until the work is done, fails, or the limit
// (LEPTON_DEVICE_TIMEOUT_S, default 600 s) has passed, which it reports as a hung device.
//
// How it polls: back to back (yielding) for the first millisecond, so a short wait (a forward
// pass, a data-parallel slice) ends as soon as cudaStreamSynchronize's default spin would; then
// it sleeps between polls for 1/64 of the time waited so far, at most 1 ms, so a long epoch
// costs next to no CPU and ends at most 1/64 of its length, and never more than 1 ms (plus the
// scheduler's wake-up), after its work did.
//
// C++20 without CUDA types: the engines' .cu code, the module's host code, the test-only
// stand-in module and CPU tests (with a fake query and clock) all use this one loop.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "bench/backends/cuda/device_status.h"
#include "conformance/core/environment_seconds.h"

namespace lepton::bench::cuda {

inline constexpr double kDefaultDeviceTimeoutS = 600;
inline constexpr const char* kDeviceTimeoutVariable = "LEPTON_DEVICE_TIMEOUT_S";

// LEPTON_DEVICE_TIMEOUT_S when set to a positive number, else the default.
inline double DeviceTimeoutFromEnvironment() {
  return PositiveSecondsFromEnvironment(kDeviceTimeoutVariable, kDefaultDeviceTimeoutS);
}

// "1.0 s": how limits appear in messages.
inline std::string SecondsText(double seconds) {
  char text[64];
  std::snprintf(text, sizeof(text), "%.1f s", seconds);
  return text;
}

// The pause before the next poll once `waited` has passed: none (a yield) in the first
// millisecond, then 1/64 of the time waited, at most 1 ms.
inline std::chrono::nanoseconds PauseBeforeNextPoll(std::chrono::nanoseconds waited) {
  constexpr std::chrono::nanoseconds kSpin = std::chrono::milliseconds(1);
  constexpr std::chrono::nanoseconds kLongestPause = std::chrono::milliseconds(1);
  if (waited < kSpin) return std::chrono::nanoseconds(0);
  return std::min(waited / 64, kLongestPause);
}

// The real clock; tests pass a fake with the same two members.
struct SteadyWaitClock {
  static std::chrono::steady_clock::time_point now() { return std::chrono::steady_clock::now(); }
  static void pause(std::chrono::nanoseconds duration) {
    if (duration.count() == 0) {
      std::this_thread::yield();
    } else {
      std::this_thread::sleep_for(duration);
    }
  }
};

// Polls `query` until the work it watches ends or `timeout_s` has passed. `query` returns no
// value while the work is pending, else OK or the error the work ended with (returned as is).
// Past the limit: "WHAT: the GPU's work has not completed within 600.0 s
// (LEPTON_DEVICE_TIMEOUT_S); the device is hung", marked `hung`. The work is queried once more
// after the limit has passed, so a wait is never called hung for a pause that outlasted it.
template <class Query, class Clock = SteadyWaitClock>
DeviceStatus WaitForDevice(const std::string& what, double timeout_s, Query&& query,
                           Clock&& clock = Clock{}) {
  const auto start = clock.now();
  const std::chrono::duration<double> limit(timeout_s);
  for (;;) {
    if (std::optional<DeviceStatus> ended = query(); ended.has_value()) return *std::move(ended);
    const auto waited = std::chrono::duration_cast<std::chrono::nanoseconds>(clock.now() - start);
    if (waited >= limit) {
      DeviceStatus hung;
      hung.error = what + ": the GPU's work has not completed within " + SecondsText(timeout_s) +
                   " (" + kDeviceTimeoutVariable + "); the device is hung";
      hung.hung = true;
      return hung;
    }
    clock.pause(PauseBeforeNextPoll(waited));
  }
}

}  // namespace lepton::bench::cuda
