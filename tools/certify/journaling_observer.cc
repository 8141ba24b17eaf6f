#include "tools/certify/journaling_observer.h"

#include <fmt/format.h>

#include "conformance/core/atomic_file.h"
#include "reports/json_report.h"

namespace lepton::certify {

JournalingObserver::JournalingObserver(CertifyObserver& progress, reports::RunJournal journal,
                                       std::filesystem::path dir)
    : progress_(progress),
      journal_(std::move(journal)),
      dir_(std::move(dir)),
      earlier_elapsed_s_(journal_.elapsed_s) {
  // The earlier sessions' records come back through OnWorkloadReused, in plan order.
  journal_.workloads.clear();
}

void JournalingObserver::OnWorkloadStart(const bench::WorkloadRecord& record) {
  progress_.OnWorkloadStart(record);
}

void JournalingObserver::OnRunStart(const bench::WorkloadRecord& record, int ordinal, int total,
                                    bool warmup) {
  progress_.OnRunStart(record, ordinal, total, warmup);
}

void JournalingObserver::OnRunEnd(const bench::WorkloadRecord& record,
                                  const bench::RunRecord& run) {
  progress_.OnRunEnd(record, run);
}

void JournalingObserver::OnWorkloadEnd(const bench::WorkloadRecord& record) {
  progress_.OnWorkloadEnd(record);
  if (record.interrupted) return;  // measured again by the next session
  journal_.workloads.push_back(record);
  Write(&journal_.workloads.back());
}

void JournalingObserver::OnWorkloadReused(const bench::WorkloadRecord& record) {
  progress_.OnWorkloadReused(record);
  journal_.workloads.push_back(record);
}

void JournalingObserver::Finish(const std::string& interrupted_by) {
  if (!interrupted_by.empty()) journal_.interruptions.push_back(interrupted_by);
  Write(nullptr);
}

void JournalingObserver::Write(const bench::WorkloadRecord* finished) {
  journal_.elapsed_s =
      earlier_elapsed_s_ +
      std::chrono::duration<double>(std::chrono::steady_clock::now() - session_start_).count();
  // Artifacts first: the journal must never name a file that is not there yet.
  Status written = finished != nullptr ? reports::WriteArtifacts({*finished}, dir_) : OkStatus();
  if (written.ok()) {
    written =
        WriteFileAtomically(dir_ / reports::kJournalFileName, reports::JournalToJson(journal_));
  }
  if (!written.ok() && !warned_) {
    warned_ = true;
    progress_.OnNotice(
        fmt::format("warning: cannot write the run's journal ({}); the run goes on, but if it is "
                    "interrupted it cannot be resumed",
                    written.message()));
  }
}

}  // namespace lepton::certify
