#pragma once
// JUnit XML for CI systems: one testcase per requirement. A MUST that did not pass is a failure
// (an error when the suite could not judge it), with the measured value and the threshold in
// the message; not-applicable requirements and SHOULDs that did not pass are skipped with the
// reason, since they do not gate certification.

#include <string>

#include "reports/report_view.h"

namespace lepton::reports {

std::string RenderJUnit(const ReportView& report);

}  // namespace lepton::reports
