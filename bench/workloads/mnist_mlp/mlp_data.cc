#include "bench/workloads/mnist_mlp/mlp_data.h"

#include "conformance/checks/dataset_catalog.h"

namespace lepton::bench {

Result<LoadedSplit> LoadWorkloadSplit(const WorkloadContext& context, const std::string& split) {
  LEPTON_ASSIGN_OR_RETURN(const std::string name,
                          GetParam<std::string>(context.params, "dataset.name"));
  const checks::ImageDatasetInfo* info = checks::FindImageDataset(name);
  if (info == nullptr) return std::unexpected(InternalError("unknown dataset " + name));
  LEPTON_ASSIGN_OR_RETURN(const std::filesystem::path dir,
                          checks::ResolveDatasetDir(*info, context.dataset_dirs));
  LEPTON_ASSIGN_OR_RETURN(const auto files, checks::FindSplitFiles(dir, split));
  LoadedSplit loaded;
  loaded.classes = info->classes;
  LEPTON_ASSIGN_OR_RETURN(loaded.images,
                          checks::LoadImageSet(files.images, files.labels, info->classes));
  return loaded;
}

Result<MlpShape> CheckedMlpShape(const WorkloadContext& context, const LoadedSplit& split) {
  LEPTON_ASSIGN_OR_RETURN(const auto layers,
                          GetParam<std::vector<std::int64_t>>(context.params, "model.layers"));
  const MlpShape shape{static_cast<int>(layers[0]), static_cast<int>(layers[1]),
                       static_cast<int>(layers[2])};
  const checks::ImageSet& images = split.images;
  if (shape.inputs != images.rows * images.cols || shape.outputs != split.classes) {
    return std::unexpected(InvalidArgumentError(
        "model.layers [" + std::to_string(layers[0]) + ", " + std::to_string(layers[1]) + ", " +
        std::to_string(layers[2]) + "] does not fit " + std::to_string(images.rows) + "x" +
        std::to_string(images.cols) + " images in " + std::to_string(split.classes) + " classes"));
  }
  return shape;
}

}  // namespace lepton::bench
