#pragma once
// Loads and validates a specification: the main file, the files it includes, every key and type,
// every reference between requirements, workloads and profiles. The first problem found is
// returned as InvalidArgument "file:line:column: message".

#include <filesystem>
#include <string>
#include <string_view>

#include "conformance/core/status.h"
#include "conformance/spec/spec_model.h"
#include "conformance/spec/spec_source.h"

namespace lepton::spec {

inline constexpr std::string_view kMainSpecFile = "lepton.yaml";

Result<Spec> LoadSpec(const SpecSource& source, std::string_view main_file = kMainSpecFile);

// A directory (its lepton.yaml is the main file) or a main file inside its spec directory.
Result<Spec> LoadSpecFromPath(const std::filesystem::path& path);

// SHA-256 over the spec's files sorted by path, each as "<path>\n<byte count>\n<bytes>".
std::string SpecDigest(const std::vector<SpecFile>& files);

}  // namespace lepton::spec
