#pragma once
// A vendor overlay: descriptive fields for the system under test and thresholds made stricter.
// An overlay can never loosen a threshold or add a requirement; it is recorded in the report.
//
//   overlay: acme-x9000            # a name for the overlay
//   spec: lepton-ai-infrastructure # must match the spec it applies to
//   system: {name: Acme X9000, vendor: Acme, notes: "..."}
//   thresholds:
//     PERF-LINREG-ROWS: {cpu: 3.0e6}

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "conformance/core/status.h"
#include "conformance/spec/spec_model.h"

namespace lepton::spec {

struct ThresholdChange {
  std::string requirement_id;
  std::string profile;
  Value value;
  SourceLocation location;
};

struct Overlay {
  std::string name;
  std::string spec_id;
  std::map<std::string, std::string> system;
  std::vector<ThresholdChange> thresholds;
  SpecFile file;
};

Result<Overlay> ParseOverlay(std::string_view bytes, std::string_view display_name);
Result<Overlay> LoadOverlayFromPath(const std::filesystem::path& path);

// Applies the overlay's thresholds; fails on an unknown requirement or profile, on a different
// spec, and on any change that loosens a threshold.
Status ApplyOverlay(const Overlay& overlay, Spec& spec);

}  // namespace lepton::spec
