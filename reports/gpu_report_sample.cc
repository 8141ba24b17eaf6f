// Writes the test fixture's report with GPUs described by CUDA and NVML (AddGpus: matched,
// hidden and unknown devices) to stdout, so schema.report_gpu_facts_valid can validate the
// writer's NVML section against spec/schema/report.schema.json on a machine without a GPU.

#include <iostream>

#include "reports/json_report.h"
#include "reports/test_report_fixture.h"

int main() {
  lepton::reports::Fixture fixture;
  lepton::reports::AddGpus(fixture.system);
  fixture.report.run.started_at = "2026-01-02T03:04:05Z";
  fixture.report.run.finished_at = "2026-01-02T03:04:06Z";
  std::cout << lepton::reports::ReportToJson(fixture.report);
  return 0;
}
