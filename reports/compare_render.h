#pragma once
// A comparison of two reports as a terminal table, a Markdown table (pull requests, job
// summaries) and JUnit XML (one testcase per metric; a regression is a failure, an undecided or
// unjudged metric is skipped with its reason).

#include <string>

#include "reports/compare.h"

namespace lepton::reports {

std::string RenderComparisonText(const Comparison& comparison);
std::string RenderComparisonMarkdown(const Comparison& comparison);
std::string RenderComparisonJUnit(const Comparison& comparison);

}  // namespace lepton::reports
