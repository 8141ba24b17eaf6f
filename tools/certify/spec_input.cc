#include "tools/certify/spec_input.h"

#include "conformance/spec/spec_loader.h"

namespace lepton::certify {

Result<SpecInput> LoadSpecInput(const std::optional<std::filesystem::path>& path) {
  SpecInput input;
  if (!path) {
    LEPTON_ASSIGN_OR_RETURN(input.spec, spec::LoadSpec(spec::EmbeddedSource(DefaultSpecFiles())));
    input.source = "<embedded>";
    input.data_root = std::filesystem::current_path();
    return input;
  }
  LEPTON_ASSIGN_OR_RETURN(input.spec, spec::LoadSpecFromPath(*path));
  input.source = path->string();
  std::error_code error;
  input.data_root = std::filesystem::is_directory(*path, error) ? *path : path->parent_path();
  if (input.data_root.empty()) input.data_root = ".";
  return input;
}

}  // namespace lepton::certify
