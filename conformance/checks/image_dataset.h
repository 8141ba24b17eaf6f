#pragma once
// An image classification split in IDX form (MNIST layout): images uint8 [N, rows, cols],
// labels uint8 [N] below the class count. Validates the pair and finds the standard file names.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "conformance/checks/idx_file.h"
#include "conformance/core/status.h"

namespace lepton::checks {

struct ImageSet {
  std::int64_t count = 0;
  int rows = 0;
  int cols = 0;
  std::vector<std::uint8_t> pixels;  // count x rows x cols
  std::vector<std::uint8_t> labels;  // count
  std::string images_sha256;         // IdxContentSha256 of each file
  std::string labels_sha256;
};

// Checks that two parsed IDX arrays form an image set; `images_name` and `labels_name` appear in
// the messages.
Result<ImageSet> MakeImageSet(IdxArray images, IdxArray labels, int classes,
                              const std::string& images_name, const std::string& labels_name);

Result<ImageSet> LoadImageSet(const std::filesystem::path& images,
                              const std::filesystem::path& labels, int classes);

struct SplitFiles {
  std::filesystem::path images;
  std::filesystem::path labels;
};

// The files of split `train` or `t10k` in `dir`: "<split>-images-idx3-ubyte" and
// "<split>-labels-idx1-ubyte", each raw or with ".gz". NotFound names what was looked for.
Result<SplitFiles> FindSplitFiles(const std::filesystem::path& dir, const std::string& split);

}  // namespace lepton::checks
