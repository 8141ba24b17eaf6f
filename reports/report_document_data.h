#pragma once
// The inside of ReportDocument; included only by reports/*.cc.

#include <nlohmann/json.hpp>
#include <string>

#include "reports/report_document.h"

namespace lepton::reports {

struct ReportDocumentData {
  std::string name;
  nlohmann::json root;
};

}  // namespace lepton::reports
