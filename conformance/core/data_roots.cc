#include "conformance/core/data_roots.h"

namespace lepton {

std::vector<std::filesystem::path> DataRoots() {
  std::vector<std::filesystem::path> roots;
  std::error_code error;
  const std::filesystem::path executable = std::filesystem::read_symlink("/proc/self/exe", error);
  if (!error) roots.push_back(executable.parent_path().parent_path() / "share" / "lepton-cert");
#ifdef LEPTON_SOURCE_ROOT
  const std::filesystem::path source_root(LEPTON_SOURCE_ROOT);
  if (std::filesystem::is_directory(source_root, error)) roots.push_back(source_root);
#endif
  const std::filesystem::path cwd = std::filesystem::current_path(error);
  if (!error) roots.push_back(cwd);
  return roots;
}

std::optional<std::filesystem::path> FindUnderDataRoots(const std::filesystem::path& relative) {
  for (const std::filesystem::path& root : DataRoots()) {
    std::error_code error;
    if (std::filesystem::exists(root / relative, error)) return root / relative;
  }
  return std::nullopt;
}

}  // namespace lepton
