#pragma once
// The run records under the measuring side's names. They live below bench/, the judge and the
// reports (conformance/records/measurement.h); bench/ code keeps calling them bench::RunRecord
// and so on.

#include "conformance/records/measurement.h"

namespace lepton::bench {

using records::EnergyEvidence;
using records::FindRecord;
using records::GpuTelemetry;
using records::Metrics;
using records::MetricValue;
using records::RunRecord;
using records::StepTiming;
using records::TelemetryFieldSummary;
using records::TelemetrySummary;
using records::ThrottleReasonSeen;
using records::WorkloadRecord;

}  // namespace lepton::bench
