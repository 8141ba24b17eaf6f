// Fuzzes the spec loader as a spec directory feeds it: a bundle (fuzz_input.h) whose first file is
// lepton.yaml and whose other files are what it may include, read through the same SpecSource the
// embedded default spec and the report verifier use. A bundle file named overlay.yaml is parsed
// as a vendor overlay and applied; every loaded spec is planned for each of its profiles.

#include <cstdint>
#include <vector>

#include "conformance/core/embedded_file.h"
#include "conformance/spec/overlay.h"
#include "conformance/spec/resolve.h"
#include "conformance/spec/spec_loader.h"
#include "conformance/spec/spec_source.h"
#include "tools/fuzz/fuzz_input.h"

namespace {

constexpr std::string_view kOverlayName = "overlay.yaml";

void PlanEveryProfile(const lepton::spec::Spec& spec) {
  const lepton::spec::Facts facts{{{"ranks", 2}, {"gpus", 1}}, {{"cuda", "not probed"}}};
  lepton::spec::PlanOptions options;
  options.enforce_preconditions = false;
  for (const auto& [name, profile] : spec.profiles) {
    (void)lepton::spec::PlanRun(spec, name, facts, options);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::vector<lepton::fuzz::BundleFile> bundle =
      lepton::fuzz::SplitBundle(lepton::fuzz::AsText(data, size), lepton::spec::kMainSpecFile);
  std::vector<lepton::EmbeddedFile> files;
  const lepton::fuzz::BundleFile* overlay_file = nullptr;
  for (const lepton::fuzz::BundleFile& file : bundle) {
    if (file.name == kOverlayName) overlay_file = &file;
    files.push_back({file.name, file.bytes});
  }
  auto spec = lepton::spec::LoadSpec(lepton::spec::EmbeddedSource(files));
  if (overlay_file != nullptr) {
    auto overlay = lepton::spec::ParseOverlay(overlay_file->bytes, kOverlayName);
    if (overlay && spec) (void)lepton::spec::ApplyOverlay(*overlay, *spec);
  }
  if (spec) PlanEveryProfile(*spec);
  return 0;
}
