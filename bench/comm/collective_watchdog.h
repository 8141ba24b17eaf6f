#pragma once
// Names the collective a rank is waiting in, so that a run whose peer died or hangs ends with a
// message saying which rank and which operation, never silently and never forever:
//
// - a watchdog thread ends the rank when one operation has been in progress longer than the
//   limit (LEPTON_COLLECTIVE_TIMEOUT_S, default 600 s): "rank 0: MPI_Allreduce of 203530
//   elements has not completed after 600 s ...", exit code 3; the launcher then ends the others.
//   It looks ten times per limit, at least once a second, and times an operation from the
//   first look that finds it, so it fires at most two looks (a fifth of the limit, or two
//   seconds) late;
// - SIGTERM or SIGINT (what mpirun and srun send the surviving ranks when one dies) prints the
//   operation in progress from the signal handler before the signal ends the rank.
//
// Barriers are watched for signals but not timed: the other ranks legitimately wait at one for
// as long as rank 0 runs its single-rank workloads.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace lepton::bench {

inline constexpr double kDefaultCollectiveTimeoutS = 600;
inline constexpr int kWatchdogExitCode = 3;

// LEPTON_COLLECTIVE_TIMEOUT_S when set to a positive number, else the default.
double CollectiveTimeoutFromEnvironment();

class CollectiveWatchdog {
 public:
  // Called on the watchdog thread with the message; the default prints it and ends the process.
  using TimeoutAction = std::function<void(const std::string& message)>;

  CollectiveWatchdog(int rank, double timeout_s, TimeoutAction on_timeout = {});
  ~CollectiveWatchdog();
  CollectiveWatchdog(const CollectiveWatchdog&) = delete;
  CollectiveWatchdog& operator=(const CollectiveWatchdog&) = delete;

  // While alive, the rank is in `operation` (a string literal: the signal handler reads it).
  // Inline and a few plain stores: it wraps every collective call, however small.
  class Scope {
   public:
    Scope(CollectiveWatchdog& watchdog, const char* operation, std::size_t count, bool timed)
        : watchdog_(watchdog) {
      watchdog_.Open(operation, count, timed);
    }
    ~Scope() { watchdog_.operation_.store(nullptr, std::memory_order_release); }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    CollectiveWatchdog& watchdog_;
  };

  // The operation of the open scope, or null. Async-signal-safe: one lock-free atomic load.
  [[nodiscard]] const char* operation_in_progress() const {
    return operation_.load(std::memory_order_acquire);
  }

  // SIGTERM and SIGINT print "lepton-cert: rank R: ended by SIGTERM while in OPERATION" (or
  // "outside any collective") and then take their default action. For one watchdog per process.
  void ReportSignals() const;

 private:
  // Only the thread that opens scopes writes the scope number: a load and a store, not a locked
  // increment. The operation goes last, with release order: whoever sees it sees its number,
  // count and timing.
  void Open(const char* operation, std::size_t count, bool timed) {
    scope_number_.store(scope_number_.load(std::memory_order_relaxed) + 1,
                        std::memory_order_relaxed);
    count_.store(count, std::memory_order_relaxed);
    timed_.store(timed, std::memory_order_relaxed);
    operation_.store(operation, std::memory_order_release);
  }
  void Watch();

  int rank_;
  std::chrono::duration<double> timeout_;
  TimeoutAction on_timeout_;
  // Written by the thread that opens scopes, read by the watchdog thread and the signal
  // handler. A scope stores no clock reading (a clock read would cost as much as the rest of
  // the scope): the watchdog times an operation from when it first sees its scope's number.
  std::atomic<const char*> operation_{nullptr};
  std::atomic<std::size_t> count_{0};
  std::atomic<bool> timed_{false};
  std::atomic<std::uint64_t> scope_number_{0};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace lepton::bench
