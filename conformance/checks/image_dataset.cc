#include "conformance/checks/image_dataset.h"

namespace lepton::checks {

Result<ImageSet> MakeImageSet(IdxArray images, IdxArray labels, int classes,
                              const std::string& images_name, const std::string& labels_name) {
  if (images.type != IdxType::kUint8 || images.dims.size() != 3) {
    return std::unexpected(DataLossError(
        images_name + ": expected uint8 images with 3 dimensions [count, rows, cols], found " +
        std::to_string(images.dims.size()) + " dimensions of type 0x" +
        std::to_string(static_cast<int>(images.type))));
  }
  if (labels.type != IdxType::kUint8 || labels.dims.size() != 1) {
    return std::unexpected(DataLossError(labels_name +
                                         ": expected uint8 labels with 1 dimension [count], "
                                         "found " +
                                         std::to_string(labels.dims.size()) + " dimensions"));
  }
  if (images.dims[0] != labels.dims[0]) {
    return std::unexpected(DataLossError(images_name + " holds " + std::to_string(images.dims[0]) +
                                         " images but " + labels_name + " holds " +
                                         std::to_string(labels.dims[0]) + " labels"));
  }
  for (std::size_t i = 0; i < labels.data.size(); ++i) {
    if (labels.data[i] >= classes) {
      return std::unexpected(DataLossError(labels_name + ": label " +
                                           std::to_string(labels.data[i]) + " of item " +
                                           std::to_string(i) + " (byte " + std::to_string(8 + i) +
                                           ") is not below " + std::to_string(classes)));
    }
  }
  ImageSet set;
  set.images_sha256 = IdxContentSha256(images);
  set.labels_sha256 = IdxContentSha256(labels);
  set.count = images.dims[0];
  set.rows = static_cast<int>(images.dims[1]);
  set.cols = static_cast<int>(images.dims[2]);
  set.pixels = std::move(images.data);
  set.labels = std::move(labels.data);
  return set;
}

Result<ImageSet> LoadImageSet(const std::filesystem::path& images,
                              const std::filesystem::path& labels, int classes) {
  LEPTON_ASSIGN_OR_RETURN(IdxArray image_array, ReadIdxFile(images));
  LEPTON_ASSIGN_OR_RETURN(IdxArray label_array, ReadIdxFile(labels));
  return MakeImageSet(std::move(image_array), std::move(label_array), classes, images.string(),
                      labels.string());
}

Result<SplitFiles> FindSplitFiles(const std::filesystem::path& dir, const std::string& split) {
  const auto find = [&](const std::string& stem) -> Result<std::filesystem::path> {
    std::error_code error;
    for (const std::string& name : {stem, stem + ".gz"}) {
      if (std::filesystem::is_regular_file(dir / name, error)) return dir / name;
    }
    for (const std::string& name : {stem, stem + ".gz"}) {
      if (std::filesystem::exists(dir / name, error)) {
        return std::unexpected(InvalidArgumentError(
            (dir / name).string() + ": not a regular file (the " + split + " split's IDX file)"));
      }
    }
    return std::unexpected(
        NotFoundError((dir / stem).string() + "[.gz]: no such file (the " + split + " split)"));
  };
  SplitFiles files;
  LEPTON_ASSIGN_OR_RETURN(files.images, find(split + "-images-idx3-ubyte"));
  LEPTON_ASSIGN_OR_RETURN(files.labels, find(split + "-labels-idx1-ubyte"));
  return files;
}

}  // namespace lepton::checks
