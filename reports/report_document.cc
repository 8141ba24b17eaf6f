#include "reports/report_document.h"

#include "reports/json_limits.h"
#include "reports/report_document_data.h"

namespace lepton::reports {
namespace {

std::string LineColumn(std::string_view text, std::size_t byte) {
  int line = 1;
  int column = 1;
  for (std::size_t i = 0; i < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return std::to_string(line) + ":" + std::to_string(column);
}

}  // namespace

Result<ReportDocument> ReportDocument::Parse(std::string_view json, std::string_view name) {
  LEPTON_RETURN_IF_ERROR(CheckJsonLimits(json, name));
  auto data = std::make_shared<ReportDocumentData>();
  data->name = name;
  try {
    data->root = nlohmann::json::parse(json.begin(), json.end());
  } catch (const nlohmann::json::parse_error& error) {
    return std::unexpected(InvalidArgumentError(
        data->name + ":" + LineColumn(json, error.byte == 0 ? 0 : error.byte - 1) +
        ": not valid JSON: " + error.what()));
  } catch (const nlohmann::json::exception& error) {
    // out_of_range 406, a number beyond double (1e999), is not a parse_error (found by
    // report_fuzz: it escaped as an uncaught exception).
    return std::unexpected(InvalidArgumentError(data->name + ": not valid JSON: " + error.what()));
  }
  return ReportDocument(std::move(data));
}

const std::string& ReportDocument::name() const { return data_->name; }

}  // namespace lepton::reports
