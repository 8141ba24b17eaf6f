#include "bench/energy/sampling_thread.h"

namespace lepton::bench {

void SamplingThread::Start(std::chrono::nanoseconds period, std::function<void()> tick) {
  Stop();
  {
    const std::lock_guard lock(mutex_);
    stop_requested_ = false;
    tick_ = std::move(tick);
  }
  thread_ = std::thread([this, period] { Loop(period); });
}

void SamplingThread::Stop() {
  if (!thread_.joinable()) return;
  {
    const std::lock_guard lock(mutex_);
    stop_requested_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void SamplingThread::Loop(std::chrono::nanoseconds period) {
  auto next = std::chrono::steady_clock::now() + period;
  std::unique_lock lock(mutex_);
  while (true) {
    if (wake_.wait_until(lock, next, [this] { return stop_requested_; })) return;
    // The tick runs without the lock so that Stop() is never blocked behind a slow read.
    lock.unlock();
    tick_();
    lock.lock();
    next += period;
    const auto now = std::chrono::steady_clock::now();
    if (next <= now) next = now + period;
  }
}

}  // namespace lepton::bench
