#pragma once
// Requirement -> verdict with its evidence, and the overall verdict. Fail closed: a MUST passes
// only when it was measured and met; not-measured, error and a skipped workload never pass.
// not-applicable comes only from the spec's own applies_if condition. An energy requirement
// judges a run's figure only when its method tier is one the requirement accepts; a figure
// measured another way is not measured for it.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/records/measurement.h"
#include "conformance/spec/resolve.h"

namespace lepton::judge {

enum class VerdictStatus { kPass, kFail, kNotApplicable, kNotMeasured, kError };
std::string_view VerdictStatusName(VerdictStatus status);  // "pass", "not-measured", ...

struct Verdict {
  std::string requirement_id;
  VerdictStatus status = VerdictStatus::kError;
  std::vector<int> run_indices;                // the timed runs judged
  std::vector<spec::Value> values;             // the metric in each of those runs
  std::optional<spec::Value> statistic_value;  // the statistic (numbers) or the agreed value
  spec::Value threshold;
  int runs_required = 1;
  std::string reason;  // always set: why this verdict, in words a reader can check
};

// `record` is the workload's record, or nullptr when the plan did not run it.
Verdict JudgeRequirement(const spec::PlannedRequirement& planned,
                         const records::WorkloadRecord* record);

// Every requirement of the plan judged on the records the runner produced, in the plan's order
// (a report's verdicts line up with plan.requirements).
std::vector<Verdict> JudgeAll(const spec::Plan& plan,
                              const std::vector<records::WorkloadRecord>& records);

// The spec's statistic over the runs' values (conformance/core/statistics.h defines each).
Result<double> ComputeStatistic(spec::Statistic statistic, std::span<const double> values);

// Whether `measured OP threshold` holds, for the kind of value the unit names.
Result<bool> Compare(const spec::Value& measured, spec::Comparison op,
                     const spec::Value& threshold);

struct Summary {
  bool certified = false;
  int must_total = 0;
  int must_passed = 0;
  int should_total = 0;
  int should_passed = 0;
  int not_applicable = 0;
  std::vector<std::string> blocking;  // MUST requirements that did not pass: "ID (status)"
};

// `incomplete`: why the run did not finish (an interruption), when it did not; an incomplete run
// certifies nothing whatever its verdicts, and says why in `blocking`.
Summary Summarize(const std::vector<spec::PlannedRequirement>& planned,
                  const std::vector<Verdict>& verdicts, std::string_view incomplete = {});

}  // namespace lepton::judge
