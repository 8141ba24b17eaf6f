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

// The energy test spec's cpu profile: one MNIST training run measured by RAPL.
struct EnergyFixture {
  spec::Spec spec;
  spec::Plan plan;
  checks::SystemDescription system;
  std::vector<bench::WorkloadRecord> workloads;
  CertificationReport report;

  EnergyFixture() {
    spec = spec::LoadSpec(spec::MapSource({{"lepton.yaml", spec::EnergySpecText()}})).value();
    plan = spec::PlanRun(spec, "cpu", {}).value();
    system.cpu_cores = 2;
    bench::WorkloadRecord record;
    record.name = "mlp";
    record.type = "mnist_mlp_train";
    record.params = plan.workloads[0].params;
    bench::RunRecord run;
    run.steps.push_back({"epoch_1", 20.5});
    run.metrics.values["joules_per_sample"] = 0.002;
    run.metrics.values["energy_j"] = 17.0;
    bench::EnergyEvidence evidence;
    evidence.meter = "rapl";
    evidence.tier = spec::EnergyTier::kOnDieCounter;
    evidence.domains = {"package-0", "dram-0"};
    evidence.source = "/sys/class/powercap";
    evidence.method = "RAPL energy counters";
    evidence.limits = "CPU packages and DRAM only";
    evidence.sample_hz = 20;
    evidence.resolution_s = 0.001;
    evidence.samples = 830;
    evidence.windows = 2;
    evidence.passes = 2;
    evidence.covered_s = 41.0;
    evidence.min_region_s = 30;
    evidence.idle_watts = 12.5;
    evidence.idle_s = 5;
    run.energy = evidence;
    record.runs.push_back(run);
    workloads.push_back(record);
    report.tool.version = "0.1.0";
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
