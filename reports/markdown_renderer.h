#pragma once
// A Markdown summary of a report for pull requests and CI job summaries: the verdict first, then
// every requirement with its measurement and threshold, the blocking ones, and the system.

#include <string>

#include "reports/report_view.h"

namespace lepton::reports {

std::string RenderMarkdown(const ReportView& report);

// Text safe inside a Markdown table cell: pipes escaped, newlines and control characters
// dropped or folded, '<' and '&' as entities so no HTML from a spec or a file name is rendered.
std::string MarkdownCell(std::string_view text);

}  // namespace lepton::reports
