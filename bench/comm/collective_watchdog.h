#pragma once
// Names the collective a rank is waiting in, so that a run whose peer died or hangs ends with a
// message saying which rank and which operation, never silently and never forever:
//
// - a watchdog thread ends the rank when one operation has been in progress longer than the
//   limit (LEPTON_COLLECTIVE_TIMEOUT_S, default 600 s): "rank 0: MPI_Allreduce of 203530
//   elements has not completed after 600 s ...", exit code 3; the launcher then ends the others;
// - SIGTERM or SIGINT (what mpirun and srun send the surviving ranks when one dies) prints the
//   operation in progress from the signal handler before the signal ends the rank.
//
// Barriers are watched for signals but not timed: the other ranks legitimately wait at one for
// as long as rank 0 runs its single-rank workloads.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
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
  class Scope {
   public:
    Scope(CollectiveWatchdog& watchdog, const char* operation, std::size_t count, bool timed);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    CollectiveWatchdog& watchdog_;
  };

  // SIGTERM and SIGINT print "lepton-cert: rank R: ended by SIGTERM while in OPERATION" (or
  // "outside any collective") and then take their default action. For one watchdog per process.
  void ReportSignals();

 private:
  void Watch();

  int rank_;
  std::chrono::duration<double> timeout_;
  TimeoutAction on_timeout_;
  std::atomic<const char*> operation_{nullptr};
  std::atomic<std::size_t> count_{0};
  std::atomic<bool> timed_{false};
  std::atomic<std::int64_t> started_ns_{0};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace lepton::bench
