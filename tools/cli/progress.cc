#include "tools/cli/progress.h"

#include <fmt/core.h>

namespace lepton::cli {

ProgressPrinter::ProgressPrinter(std::FILE* out, bool interactive)
    : out_(out), interactive_(interactive) {}

double ProgressPrinter::Elapsed() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void ProgressPrinter::OnWorkloadStart(const bench::WorkloadRecord& record) {
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
  if (!record.unavailable_reason.empty()) {
    fmt::print(out_, "[{:7.1f}s] {}: not run: {}\n", Elapsed(), record.name,
               record.unavailable_reason);
  } else if (!record.error.empty()) {
    fmt::print(out_, "[{:7.1f}s] {}: FAILED: {}\n", Elapsed(), record.name, record.error);
  }
  std::fflush(out_);
}

void ProgressPrinter::OnWorkloadReused(const bench::WorkloadRecord& record) {
  fmt::print(out_, "[{:7.1f}s] {}: finished by an earlier session (journal), not run again\n",
             Elapsed(), record.name);
  std::fflush(out_);
}

}  // namespace lepton::cli
