#pragma once
// Keeps the run's journal (reports/run_journal.h) while the runner works: after every workload
// that finishes, its artifacts and then the journal are written atomically, so whatever stops
// the run after that point (a signal, a crash, a power cut) loses none of it. Progress, and the
// warning when the journal cannot be written, go on to the wrapped observer.

#include <chrono>
#include <filesystem>

#include "bench/runner/runner.h"
#include "reports/run_journal.h"
#include "tools/certify/certify_observer.h"

namespace lepton::certify {

class JournalingObserver final : public bench::RunObserver {
 public:
  // `journal` holds the earlier sessions' records (none for a new run); this session's time
  // counts from construction.
  JournalingObserver(CertifyObserver& progress, reports::RunJournal journal,
                     std::filesystem::path dir);

  void OnWorkloadStart(const bench::WorkloadRecord& record) override;
  void OnRunStart(const bench::WorkloadRecord& record, int ordinal, int total,
                  bool warmup) override;
  void OnRunEnd(const bench::WorkloadRecord& record, const bench::RunRecord& run) override;
  void OnWorkloadEnd(const bench::WorkloadRecord& record) override;
  void OnWorkloadReused(const bench::WorkloadRecord& record) override;

  // Records the interruption (when there was one) and writes the journal once more.
  void Finish(const std::string& interrupted_by);
  [[nodiscard]] const reports::RunJournal& journal() const { return journal_; }
  // Every finished workload's artifacts are in the directory: this or an earlier session wrote
  // them (a resumed journal's were checked against their SHA-256 when it was read).
  [[nodiscard]] bool artifacts_written() const { return !warned_; }

 private:
  void Write(const bench::WorkloadRecord* finished);

  CertifyObserver& progress_;
  reports::RunJournal journal_;
  std::filesystem::path dir_;
  double earlier_elapsed_s_;
  std::chrono::steady_clock::time_point session_start_ = std::chrono::steady_clock::now();
  bool warned_ = false;
};

}  // namespace lepton::certify
