#pragma once
// Calls a function at a stated rate on its own thread until stopped. Ticks follow an absolute
// timeline (start + n x period), so a slow tick delays the next but the rate does not drift;
// ticks missed while one ran late are skipped, not bunched. Stop() wakes the thread at once
// through a condition variable and joins it, so a 1 Hz sampler stops in microseconds, not in
// up to a second.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace lepton::bench {

class SamplingThread {
 public:
  SamplingThread() = default;
  SamplingThread(const SamplingThread&) = delete;
  SamplingThread& operator=(const SamplingThread&) = delete;
  ~SamplingThread() { Stop(); }

  // The first tick comes one period after Start. Starting a running thread stops it first.
  void Start(std::chrono::nanoseconds period, std::function<void()> tick);
  // Returns once the thread has ended; a tick in progress finishes first.
  void Stop();

 private:
  void Loop(std::chrono::nanoseconds period);

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_requested_ = false;
  std::function<void()> tick_;
  std::thread thread_;
};

}  // namespace lepton::bench
