#pragma once
// A small real report for tests: the test spec's ci profile with one regression run.

#include <limits>

#include "conformance/spec/spec_loader.h"
#include "conformance/spec/test_spec_source.h"
#include "reports/report_model.h"

namespace lepton::reports {

struct Fixture {
  spec::Spec spec;
  spec::Plan plan;
  checks::SystemDescription system;
  std::vector<bench::WorkloadRecord> workloads;
  CertificationReport report;

  Fixture() {
    spec = spec::LoadSpec(spec::MapSource({{"lepton.yaml", spec::ValidSpecText()}})).value();
    spec::Facts facts{{{"ranks", 2}, {"gpus", 0}}, {}};
    plan = spec::PlanRun(spec, "ci", facts).value();
    system.cpu_cores = 2;
    system.memory_gib = 3.5;
    bench::WorkloadRecord record;
    record.name = "regression";
    record.type = "linear_regression";
    record.params = plan.workloads[1].params;
    bench::RunRecord run;
    run.steps.push_back({"closed_form", 0.25});
    run.metrics.values["rows_per_second"] = 1e6;
    run.metrics.values["holdout_mse"] = std::numeric_limits<double>::quiet_NaN();
    record.runs.push_back(run);
    workloads.push_back(record);
    report.tool.version = "0.1.0";
    report.run.facts = facts;
    report.spec = &spec;
    report.plan = &plan;
    report.system = &system;
    report.workloads = &workloads;
    for (const auto& planned : plan.requirements) {
      report.verdicts.push_back(judge::JudgeRequirement(
          planned, bench::FindRecord(workloads, planned.requirement->workload)));
    }
    report.summary = judge::Summarize(plan.requirements, report.verdicts);
  }
};

}  // namespace lepton::reports
