#include "reports/junit_renderer.h"

#include "reports/markup_escape.h"

namespace lepton::reports {

std::string RenderJUnit(const ReportView& report) {
  int failures = 0;
  int errors = 0;
  int skipped = 0;
  std::string cases;
  for (const RequirementView& r : report.requirements) {
    std::string message = r.reason + " (measured " +
                          (r.measured.empty() ? std::string("nothing") : r.measured) +
                          ", threshold " + r.op + " " + r.threshold + " " + r.unit + ")";
    if (r.kind == "energy") message += " [energy method: " + r.method + "]";
    cases += "    <testcase classname=\"" + EscapeMarkup(r.kind + "." + r.level) + "\" name=\"" +
             EscapeMarkup(r.id + ": " + r.title) + "\">\n";
    if (r.verdict == "pass") {
      // nothing to add
    } else if (r.verdict == "not-applicable") {
      ++skipped;
      cases += "      <skipped message=\"" + EscapeMarkup(r.reason) + "\"/>\n";
    } else if (r.level != "MUST") {
      ++skipped;
      cases +=
          "      <skipped message=\"" + EscapeMarkup("SHOULD, not gating: " + message) + "\"/>\n";
    } else if (r.verdict == "error") {
      ++errors;
      cases += "      <error type=\"error\" message=\"" + EscapeMarkup(message) + "\"/>\n";
    } else {
      ++failures;
      cases += "      <failure type=\"" + EscapeMarkup(r.verdict) + "\" message=\"" +
               EscapeMarkup(message) + "\"/>\n";
    }
    cases += "    </testcase>\n";
  }
  const std::string name =
      "lepton-cert " + report.spec_id + " " + report.spec_version + " profile " + report.profile;
  const std::string counts = "tests=\"" + std::to_string(report.requirements.size()) +
                             "\" failures=\"" + std::to_string(failures) + "\" errors=\"" +
                             std::to_string(errors) + "\" skipped=\"" + std::to_string(skipped) +
                             "\"";
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"" + EscapeMarkup(name) +
         "\" " + counts + ">\n  <testsuite name=\"" + EscapeMarkup(name) + "\" " + counts +
         " timestamp=\"" + EscapeMarkup(report.started_at) + "\" hostname=\"" +
         EscapeMarkup(report.hostname) + "\">\n" + cases + "  </testsuite>\n</testsuites>\n";
}

}  // namespace lepton::reports
