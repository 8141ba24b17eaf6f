#pragma once
// Progress of a run on stderr: a live line on a terminal, plain timestamped lines otherwise
// (CI logs), so the output stays readable in both.

#include <chrono>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "bench/runner/runner.h"

namespace lepton::cli {

class ProgressPrinter final : public bench::RunObserver {
 public:
  ProgressPrinter(std::FILE* out, bool interactive);

  void OnWorkloadStart(const bench::WorkloadRecord& record) override;
  void OnRunStart(const bench::WorkloadRecord& record, int ordinal, int total,
                  bool warmup) override;
  void OnRunEnd(const bench::WorkloadRecord& record, const bench::RunRecord& run) override;
  void OnWorkloadEnd(const bench::WorkloadRecord& record) override;
  void OnWorkloadReused(const bench::WorkloadRecord& record) override;

  // After the last workload: the total time, each workload's wall time (preparation, runs and
  // evaluation) and the slowest, so a slow run says at once where its time went.
  void PrintSummary();

 private:
  [[nodiscard]] double Elapsed() const;

  std::FILE* out_;
  bool interactive_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  int ordinal_ = 0;
  int total_ = 0;
  bool line_open_ = false;  // a live line without its newline yet
  double workload_started_ = 0;
  std::vector<std::pair<std::string, double>> workload_seconds_;  // in the order run
};

}  // namespace lepton::cli
