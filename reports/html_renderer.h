#pragma once
// One self-contained HTML page for a report (no scripts, no network fetches): the verdict first,
// every requirement with its measurement, threshold and verdict, the traceability table, the
// system, and inline SVG charts: curves per run (accuracy and loss per epoch) and the spread of
// the repeated runs of every numeric requirement against its threshold. Every string that came
// from a spec, a system description or a file name is escaped.

#include <string>

#include "reports/report_view.h"

namespace lepton::reports {

std::string RenderHtml(const ReportView& report);

}  // namespace lepton::reports
