#pragma once
// SIGINT and SIGTERM during `lepton-cert run`: the first one is recorded for the runner to poll
// between steps (bench::RunnerOptions::interruption), so the run writes what it measured, marked
// incomplete, and its journal; the handler then resets itself, so a second signal ends the
// process at once (every file is written atomically, so nothing is left half-written).

#include <string>

namespace lepton::certify {

class InterruptSignals {
 public:
  InterruptSignals();   // installs the handlers and forgets any earlier signal
  ~InterruptSignals();  // restores the previous handlers
  InterruptSignals(const InterruptSignals&) = delete;
  InterruptSignals& operator=(const InterruptSignals&) = delete;

  // The signal received so far: 0, SIGINT or SIGTERM.
  [[nodiscard]] static int Received();
  // "SIGINT", "SIGTERM", or "" while none came.
  [[nodiscard]] static std::string ReceivedName();
};

}  // namespace lepton::certify
