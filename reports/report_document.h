#pragma once
// A report's JSON parsed once, so that verifying a report and reading its view (what a
// leaderboard does for every submission) share one parse. The JSON library stays private to
// reports/: other modules see only the opaque handle.

#include <memory>
#include <string>
#include <string_view>

#include "conformance/core/status.h"

namespace lepton::reports {

struct ReportDocumentData;  // defined in reports/report_document_data.h

class ReportDocument {
 public:
  // InvalidArgument naming `name` and the line:column of a JSON syntax error.
  static Result<ReportDocument> Parse(std::string_view json, std::string_view name);

  [[nodiscard]] const std::string& name() const;
  [[nodiscard]] const ReportDocumentData& data() const { return *data_; }

 private:
  explicit ReportDocument(std::shared_ptr<const ReportDocumentData> data)
      : data_(std::move(data)) {}
  std::shared_ptr<const ReportDocumentData> data_;
};

}  // namespace lepton::reports
