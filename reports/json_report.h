#pragma once
// The canonical JSON form of a certification report (spec/schema/report.schema.json), and its
// atomic write. Keys appear in a fixed order with schema_version first; numbers are written in
// the shortest form that reads back as the same double; a non-finite number is written as null
// and its reason listed beside it, never as NaN.

#include <filesystem>
#include <string>

#include "conformance/core/status.h"
#include "reports/report_model.h"

namespace lepton::reports {

std::string ReportToJson(const CertificationReport& report);

// Writes to `path` via a temporary file, fsync and rename: never half-written.
Status WriteReport(const CertificationReport& report, const std::filesystem::path& path);

// One workload's record exactly as the report's "workloads" array holds it (compact JSON).
std::string WorkloadRecordToJson(const records::WorkloadRecord& record);

// Where a run's artifact is stored beside the report: "fashion-mlp.run2.model.onnx".
std::string ArtifactFileName(const std::string& workload, const records::RunRecord& run,
                             const std::string& name);

// Writes every artifact of every run into `dir` (atomically, file by file).
Status WriteArtifacts(const std::vector<records::WorkloadRecord>& workloads,
                      const std::filesystem::path& dir);

std::string SystemToJson(const checks::SystemDescription& system);

// The spec as resolved for a plan, for `lepton-cert spec show`.
std::string PlanToJson(const spec::Spec& spec, const spec::Plan& plan);

}  // namespace lepton::reports
