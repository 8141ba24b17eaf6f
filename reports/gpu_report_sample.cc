// Writes the test fixture's report with GPUs described by CUDA and NVML (AddGpus: matched,
// hidden and unknown devices) and a run's GPU telemetry (throttled, a field not measured) to
// stdout, so schema.report_gpu_facts_valid can validate the writer's NVML and telemetry sections
// against spec/schema/report.schema.json on a machine without a GPU.

#include <iostream>

#include "reports/json_report.h"
#include "reports/test_report_fixture.h"

int main() {
  lepton::reports::Fixture fixture;
  lepton::reports::AddGpus(fixture.system);
  fixture.workloads[0].device = "cuda";
  fixture.workloads[0].runs[0].telemetry = lepton::reports::GpuTelemetrySummary(true);
  fixture.workloads[0].telemetry = lepton::reports::GpuTelemetrySummary(true);
  fixture.report.run.started_at = "2026-01-02T03:04:05Z";
  fixture.report.run.finished_at = "2026-01-02T03:04:06Z";
  std::cout << lepton::reports::ReportToJson(fixture.report);
  return 0;
}
