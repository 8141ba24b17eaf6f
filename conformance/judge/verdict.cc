#include "conformance/judge/verdict.h"

#include <algorithm>
#include <variant>

#include "conformance/core/statistics.h"
#include "conformance/core/version.h"

namespace lepton::judge {
namespace {

std::string RunsText(int count) { return std::to_string(count) + (count == 1 ? " run" : " runs"); }

std::string MethodsText(const std::vector<spec::EnergyTier>& methods) {
  if (methods.empty()) return "no method";
  std::string text;
  for (spec::EnergyTier tier : methods) {
    text += (text.empty() ? "" : ", ") + std::string(spec::EnergyTierName(tier));
  }
  return text;
}

Verdict Finish(Verdict verdict, VerdictStatus status, std::string reason) {
  verdict.status = status;
  verdict.reason = std::move(reason);
  return verdict;
}

}  // namespace

Result<double> ComputeStatistic(spec::Statistic statistic, std::span<const double> values) {
  switch (statistic) {
    case spec::Statistic::kMedian:
      return stats::Median(values);
    case spec::Statistic::kMean:
      return stats::Mean(values);
    case spec::Statistic::kMin:
      return stats::Min(values);
    case spec::Statistic::kMax:
      return stats::Max(values);
    case spec::Statistic::kP90:
      return stats::Percentile(values, 0.90);
    case spec::Statistic::kP99:
      return stats::Percentile(values, 0.99);
  }
  return std::unexpected(InternalError("unknown statistic"));
}

std::string_view VerdictStatusName(VerdictStatus status) {
  switch (status) {
    case VerdictStatus::kPass:
      return "pass";
    case VerdictStatus::kFail:
      return "fail";
    case VerdictStatus::kNotApplicable:
      return "not-applicable";
    case VerdictStatus::kNotMeasured:
      return "not-measured";
    case VerdictStatus::kError:
      return "error";
  }
  return "error";
}

Result<bool> Compare(const spec::Value& measured, spec::Comparison op,
                     const spec::Value& threshold) {
  if (measured.index() != threshold.index()) {
    return std::unexpected(InvalidArgumentError("measured " + spec::ValueToString(measured) +
                                                " and threshold " + spec::ValueToString(threshold) +
                                                " are different kinds of value"));
  }
  std::partial_ordering order = std::partial_ordering::unordered;
  if (const auto* number = std::get_if<double>(&measured)) {
    order = *number <=> std::get<double>(threshold);
  } else if (const auto* text = std::get_if<std::string>(&measured)) {
    const auto a = Version::Parse(*text);
    const auto b = Version::Parse(std::get<std::string>(threshold));
    if (a && b) {
      order = *a <=> *b;
    } else if (op == spec::Comparison::kEqual) {
      return *text == std::get<std::string>(threshold);
    } else {
      return std::unexpected(
          InvalidArgumentError("'" + *text + "' cannot be ordered against a version"));
    }
  } else {
    if (op != spec::Comparison::kEqual) {
      return std::unexpected(InvalidArgumentError("booleans compare only with =="));
    }
    return measured == threshold;
  }
  if (order == std::partial_ordering::unordered) return false;
  switch (op) {
    case spec::Comparison::kLess:
      return std::is_lt(order);
    case spec::Comparison::kLessEqual:
      return std::is_lteq(order);
    case spec::Comparison::kGreater:
      return std::is_gt(order);
    case spec::Comparison::kGreaterEqual:
      return std::is_gteq(order);
    case spec::Comparison::kEqual:
      return std::is_eq(order);
  }
  return false;
}

Verdict JudgeRequirement(const spec::PlannedRequirement& planned,
                         const records::WorkloadRecord* record) {
  const spec::Requirement& requirement = *planned.requirement;
  Verdict verdict;
  verdict.requirement_id = requirement.id;
  verdict.threshold = planned.threshold;
  verdict.runs_required = planned.runs;
  if (!planned.applicable) {
    return Finish(std::move(verdict), VerdictStatus::kNotApplicable, planned.not_applicable_reason);
  }
  if (record == nullptr) {
    return Finish(std::move(verdict), VerdictStatus::kError,
                  "workload '" + requirement.workload + "' was not run");
  }
  if (!record->unavailable_reason.empty()) {
    return Finish(std::move(verdict), VerdictStatus::kNotMeasured,
                  "workload '" + record->name + "' unavailable: " + record->unavailable_reason);
  }
  if (!record->error.empty()) {
    return Finish(std::move(verdict), VerdictStatus::kError,
                  "workload '" + record->name + "' failed: " + record->error);
  }
  for (const records::RunRecord& run : record->runs) {
    if (run.warmup) continue;
    if (!run.error.empty()) {
      return Finish(std::move(verdict), VerdictStatus::kError,
                    "run " + std::to_string(run.index + 1) + " failed: " + run.error);
    }
    if (auto missing = run.metrics.not_measured.find(requirement.metric);
        missing != run.metrics.not_measured.end()) {
      return Finish(std::move(verdict), VerdictStatus::kNotMeasured,
                    requirement.metric + " not measured in run " + std::to_string(run.index + 1) +
                        ": " + missing->second);
    }
    auto value = run.metrics.values.find(requirement.metric);
    if (value == run.metrics.values.end()) {
      return Finish(std::move(verdict), VerdictStatus::kError,
                    "run " + std::to_string(run.index + 1) + " produced no " + requirement.metric);
    }
    if (requirement.kind == spec::RequirementKind::kEnergy) {
      // An energy figure counts only with its method, and only a method the requirement accepts.
      if (!run.energy || !run.energy->tier) {
        return Finish(std::move(verdict), VerdictStatus::kError,
                      "run " + std::to_string(run.index + 1) + " has " + requirement.metric +
                          " without the method that measured it");
      }
      const spec::EnergyTier tier = *run.energy->tier;
      if (std::find(requirement.methods.begin(), requirement.methods.end(), tier) ==
          requirement.methods.end()) {
        return Finish(std::move(verdict), VerdictStatus::kNotMeasured,
                      "run " + std::to_string(run.index + 1) + " measured energy by " +
                          std::string(spec::EnergyTierName(tier)) + " (" + run.energy->meter +
                          "); this requirement accepts " + MethodsText(requirement.methods));
      }
    }
    verdict.run_indices.push_back(run.index);
    verdict.values.push_back(value->second);
  }
  const int measured = static_cast<int>(verdict.values.size());
  if (measured < planned.runs) {
    return Finish(std::move(verdict), VerdictStatus::kNotMeasured,
                  "the spec requires " + RunsText(planned.runs) + ", " + std::to_string(measured) +
                      " measured");
  }

  std::string statistic_name = "value";
  if (requirement.statistic) {
    std::vector<double> numbers;
    for (const spec::Value& v : verdict.values) {
      if (const auto* number = std::get_if<double>(&v)) numbers.push_back(*number);
    }
    if (numbers.size() != verdict.values.size()) {
      return Finish(std::move(verdict), VerdictStatus::kError,
                    requirement.metric + " is not a number in every run");
    }
    auto statistic = ComputeStatistic(*requirement.statistic, numbers);
    if (!statistic) {
      return Finish(std::move(verdict), VerdictStatus::kError,
                    "cannot compute " + std::string(spec::StatisticName(*requirement.statistic)) +
                        ": " + statistic.error().message());
    }
    verdict.statistic_value = *statistic;
    statistic_name = std::string(spec::StatisticName(*requirement.statistic));
  } else {
    bool yes_no_differs = false;
    for (const spec::Value& v : verdict.values) {
      if (v == verdict.values.front()) continue;
      // Runs of a yes/no measurement may honestly differ (one run throttled, one did not reach
      // the target): every run must then meet the threshold, judged below on the first that
      // does not. Texts, versions and digests that differ mean the runs disagree on a fact.
      if (std::holds_alternative<bool>(v) && std::holds_alternative<bool>(verdict.values.front())) {
        yes_no_differs = true;
        continue;
      }
      // Built before the call: argument evaluation order would allow a moved-from read.
      std::string reason = requirement.metric +
                           " differs between runs: " + spec::ValueToString(verdict.values.front()) +
                           " vs " + spec::ValueToString(v);
      return Finish(std::move(verdict), VerdictStatus::kError, std::move(reason));
    }
    verdict.statistic_value = verdict.values.front();
    if (yes_no_differs) {
      for (const spec::Value& v : verdict.values) {
        if (auto met = Compare(v, requirement.threshold.op, planned.threshold); met && !*met) {
          verdict.statistic_value = v;
          break;
        }
      }
    }
  }

  const auto met = Compare(*verdict.statistic_value, requirement.threshold.op, planned.threshold);
  if (!met) {
    return Finish(std::move(verdict), VerdictStatus::kError, met.error().message());
  }
  const std::string comparison = std::string(spec::ComparisonSymbol(requirement.threshold.op)) +
                                 " " + spec::ValueToString(planned.threshold) + " " +
                                 requirement.unit;
  const std::string measured_text =
      statistic_name + " " + spec::ValueToString(*verdict.statistic_value) + " " + requirement.unit;
  const std::string over = " over " + RunsText(measured);
  if (*met) {
    return Finish(std::move(verdict), VerdictStatus::kPass,
                  measured_text + " meets " + comparison + over);
  }
  return Finish(std::move(verdict), VerdictStatus::kFail,
                measured_text + " does not meet " + comparison + over);
}

std::vector<Verdict> JudgeAll(const spec::Plan& plan,
                              const std::vector<records::WorkloadRecord>& records) {
  std::vector<Verdict> verdicts;
  verdicts.reserve(plan.requirements.size());
  for (const spec::PlannedRequirement& planned : plan.requirements) {
    verdicts.push_back(
        JudgeRequirement(planned, records::FindRecord(records, planned.requirement->workload)));
  }
  return verdicts;
}

Summary Summarize(const std::vector<spec::PlannedRequirement>& planned,
                  const std::vector<Verdict>& verdicts, std::string_view incomplete) {
  Summary summary;
  for (std::size_t i = 0; i < planned.size() && i < verdicts.size(); ++i) {
    const Verdict& verdict = verdicts[i];
    if (verdict.status == VerdictStatus::kNotApplicable) {
      ++summary.not_applicable;
      continue;
    }
    const bool passed = verdict.status == VerdictStatus::kPass;
    if (planned[i].requirement->level == spec::Level::kMust) {
      ++summary.must_total;
      if (passed) {
        ++summary.must_passed;
      } else {
        summary.blocking.push_back(verdict.requirement_id + " (" +
                                   std::string(VerdictStatusName(verdict.status)) + ")");
      }
    } else {
      ++summary.should_total;
      if (passed) ++summary.should_passed;
    }
  }
  // Fail closed: a plan that judged no MUST requirement certifies nothing.
  if (summary.must_total == 0) summary.blocking.emplace_back("no MUST requirement applied");
  if (!incomplete.empty()) summary.blocking.push_back("run incomplete: " + std::string(incomplete));
  summary.certified = summary.blocking.empty() && planned.size() == verdicts.size();
  return summary;
}

}  // namespace lepton::judge
