#pragma once
// Where the CLI gets its spec: a path the user names, or the standard embedded in the binary.

#include <filesystem>
#include <optional>
#include <span>
#include <string>

#include "conformance/core/embedded_file.h"
#include "conformance/spec/spec_model.h"

namespace lepton::certify {

// Generated at build time from spec/lepton-v1 (see tools/CMakeLists.txt).
std::span<const EmbeddedFile> DefaultSpecFiles();
// Generated at build time: spec/RELEASES, the released versions and their digests.
std::span<const EmbeddedFile> SpecReleaseFiles();

struct SpecInput {
  spec::Spec spec;
  std::string source;               // the path as given, or "<embedded>"
  std::filesystem::path data_root;  // where files named by the spec resolve
};

Result<SpecInput> LoadSpecInput(const std::optional<std::filesystem::path>& path);

}  // namespace lepton::certify
