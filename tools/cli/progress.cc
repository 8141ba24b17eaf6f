#include "tools/cli/progress.h"

#include <fmt/core.h>

#include <algorithm>

namespace lepton::cli {

ProgressPrinter::ProgressPrinter(std::FILE* out, bool interactive)
    : out_(out), interactive_(interactive) {}

double ProgressPrinter::Elapsed() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void ProgressPrinter::OnWorkloadStart(const bench::WorkloadRecord& record) {
  workload_started_ = Elapsed();
  fmt::print(out_, "[{:7.1f}s] {} ({}): preparing\n", Elapsed(), record.name, record.type);
  std::fflush(out_);
}

void ProgressPrinter::OnRunStart(const bench::WorkloadRecord& record, int ordinal, int total,
                                 bool warmup) {
  ordinal_ = ordinal;
  total_ = total;
  const std::string label =
      fmt::format("{}: run {}/{}{}", record.name, ordinal, total, warmup ? " (warm-up)" : "");
  if (interactive_) {
    fmt::print(out_, "\r\033[K[{:7.1f}s] {} ...", Elapsed(), label);
    line_open_ = true;
  } else {
    fmt::print(out_, "[{:7.1f}s] {} started\n", Elapsed(), label);
  }
  std::fflush(out_);
}

void ProgressPrinter::OnRunEnd(const bench::WorkloadRecord& record, const bench::RunRecord& run) {
  double seconds = 0;
  for (const bench::StepTiming& step : run.steps) seconds += step.seconds;
  const std::string outcome =
      run.error.empty() ? fmt::format("timed steps {:.3f} s", seconds) : "FAILED: " + run.error;
  if (interactive_) {
    fmt::print(out_, "\r\033[K[{:7.1f}s] {}: run {}/{} {}", Elapsed(), record.name, ordinal_,
               total_, outcome);
    if (!run.error.empty()) {
      fmt::print(out_, "\n");
      line_open_ = false;
    }
  } else {
    fmt::print(out_, "[{:7.1f}s] {}: run {}/{} {}\n", Elapsed(), record.name, ordinal_, total_,
               outcome);
  }
  std::fflush(out_);
}

void ProgressPrinter::OnWorkloadEnd(const bench::WorkloadRecord& record) {
  if (line_open_) fmt::print(out_, "\n");
  line_open_ = false;
  const double seconds = Elapsed() - workload_started_;
  workload_seconds_.emplace_back(record.name, seconds);
  if (!record.unavailable_reason.empty()) {
    fmt::print(out_, "[{:7.1f}s] {}: not run: {}\n", Elapsed(), record.name,
               record.unavailable_reason);
  } else if (!record.error.empty()) {
    fmt::print(out_, "[{:7.1f}s] {}: FAILED: {}\n", Elapsed(), record.name, record.error);
  } else {
    fmt::print(out_, "[{:7.1f}s] {}: done in {:.1f} s\n", Elapsed(), record.name, seconds);
  }
  std::fflush(out_);
}

void ProgressPrinter::PrintSummary() {
  std::string split;
  for (const auto& [name, seconds] : workload_seconds_) {
    split += fmt::format("{}{} {:.1f} s", split.empty() ? "" : ", ", name, seconds);
  }
  const auto slowest = std::max_element(
      workload_seconds_.begin(), workload_seconds_.end(),
      [](const auto& left, const auto& right) { return left.second < right.second; });
  if (slowest == workload_seconds_.end()) {
    fmt::print(out_, "[{:7.1f}s] workloads done: none run in this session\n", Elapsed());
  } else {
    fmt::print(out_, "[{:7.1f}s] workloads done in {:.1f} s; slowest: {} {:.1f} s ({})\n",
               Elapsed(), Elapsed(), slowest->first, slowest->second, split);
  }
  std::fflush(out_);
}

void ProgressPrinter::OnWorkloadReused(const bench::WorkloadRecord& record) {
  fmt::print(out_, "[{:7.1f}s] {}: finished by an earlier session (journal), not run again\n",
             Elapsed(), record.name);
  std::fflush(out_);
}

}  // namespace lepton::cli
