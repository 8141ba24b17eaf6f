#include "bench/comm/collective_watchdog.h"

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "conformance/core/environment_seconds.h"

namespace lepton::bench {
namespace {

// What the signal handler reads: lock-free atomics are async-signal-safe.
std::atomic<const CollectiveWatchdog*> g_signalled_watchdog{nullptr};
std::atomic<int> g_rank{0};

std::int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// write(2) only: formatting with snprintf is not async-signal-safe.
void WriteText(const char* text) {
  std::size_t length = std::strlen(text);
  while (length > 0) {
    const ssize_t written = ::write(STDERR_FILENO, text, length);
    if (written <= 0) return;
    text += written;
    length -= static_cast<std::size_t>(written);
  }
}

void WriteNumber(int value) {
  char digits[16];
  int position = sizeof(digits) - 1;
  digits[position] = '\0';
  unsigned magnitude = value < 0 ? 0U : static_cast<unsigned>(value);
  do {
    digits[--position] = static_cast<char>('0' + magnitude % 10);
    magnitude /= 10;
  } while (magnitude != 0 && position > 0);
  WriteText(digits + position);
}

extern "C" void ReportSignalAndDie(int signal) {
  WriteText("lepton-cert: rank ");
  WriteNumber(g_rank.load());
  WriteText(signal == SIGINT ? ": ended by SIGINT " : ": ended by SIGTERM ");
  const CollectiveWatchdog* watchdog = g_signalled_watchdog.load();
  const char* operation = watchdog != nullptr ? watchdog->operation_in_progress() : nullptr;
  if (operation != nullptr) {
    WriteText("while in ");
    WriteText(operation);
    WriteText("; a peer rank is gone or stopped\n");
  } else {
    WriteText("outside any collective\n");
  }
  std::signal(signal, SIG_DFL);
  std::raise(signal);
}

void PrintAndExit(const std::string& message) {
  std::fprintf(stderr, "lepton-cert: %s\n", message.c_str());
  std::fflush(stderr);
  // The main thread is blocked inside the communication library: only ending the process
  // frees it. The launcher then ends the other ranks.
  std::_Exit(kWatchdogExitCode);
}

}  // namespace

double CollectiveTimeoutFromEnvironment() {
  return PositiveSecondsFromEnvironment("LEPTON_COLLECTIVE_TIMEOUT_S", kDefaultCollectiveTimeoutS);
}

CollectiveWatchdog::CollectiveWatchdog(int rank, double timeout_s, TimeoutAction on_timeout)
    : rank_(rank),
      timeout_(timeout_s),
      on_timeout_(on_timeout ? std::move(on_timeout) : TimeoutAction(PrintAndExit)),
      thread_([this] { Watch(); }) {
  g_rank.store(rank);
}

CollectiveWatchdog::~CollectiveWatchdog() {
  const CollectiveWatchdog* self = this;
  g_signalled_watchdog.compare_exchange_strong(self, nullptr);
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void CollectiveWatchdog::ReportSignals() const {
  g_signalled_watchdog.store(this);
  struct sigaction action {};
  action.sa_handler = ReportSignalAndDie;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND;
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
}

void CollectiveWatchdog::Watch() {
  // Looks ten times per limit (at least every second). An operation is timed from the first
  // look that finds its scope open, so it is reported at most two periods after the limit and
  // never before it.
  const auto period =
      std::min<std::chrono::duration<double>>(timeout_ / 10, std::chrono::seconds(1));
  std::uint64_t watched_number = 0;
  std::int64_t first_seen_ns = 0;
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, period, [this] { return stopping_; })) {
    const char* operation = operation_.load(std::memory_order_acquire);
    const std::uint64_t number = scope_number_.load(std::memory_order_relaxed);
    if (operation == nullptr || !timed_.load(std::memory_order_relaxed)) {
      watched_number = 0;
      continue;
    }
    if (number != watched_number) {
      watched_number = number;
      first_seen_ns = NowNs();
      continue;
    }
    const double waited = static_cast<double>(NowNs() - first_seen_ns) * 1e-9;
    // The scope may have closed and another opened between the loads: check it is the same.
    if (waited < timeout_.count() || operation_.load(std::memory_order_acquire) != operation ||
        scope_number_.load(std::memory_order_relaxed) != number) {
      continue;
    }
    char seconds[64];
    std::snprintf(seconds, sizeof(seconds), "%.1f s (the watchdog's limit is %.1f s", waited,
                  timeout_.count());
    const std::string message = "rank " + std::to_string(rank_) + ": " + operation + " of " +
                                std::to_string(count_.load(std::memory_order_relaxed)) +
                                " elements has not completed after " + seconds +
                                ", LEPTON_COLLECTIVE_TIMEOUT_S): a peer rank is gone or stuck; "
                                "ending this rank";
    lock.unlock();
    on_timeout_(message);
    lock.lock();
    operation_.compare_exchange_strong(operation, nullptr);  // reported once
  }
}

}  // namespace lepton::bench
