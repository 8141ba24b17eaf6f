#include "bench/workloads/mnist_mlp/mlp_data.h"

#include <algorithm>
#include <cmath>
#include <random>

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

Result<AdamSettings> ReadAdamSettings(const WorkloadContext& context) {
  const auto& params = context.params;
  LEPTON_ASSIGN_OR_RETURN(const double lr, GetParam<double>(params, "optimizer.lr"));
  LEPTON_ASSIGN_OR_RETURN(const double beta1, GetParam<double>(params, "optimizer.beta1"));
  LEPTON_ASSIGN_OR_RETURN(const double beta2, GetParam<double>(params, "optimizer.beta2"));
  LEPTON_ASSIGN_OR_RETURN(const double epsilon, GetParam<double>(params, "optimizer.epsilon"));
  return AdamSettings{static_cast<float>(lr), static_cast<float>(beta1), static_cast<float>(beta2),
                      static_cast<float>(epsilon)};
}

void KeepFirstImages(checks::ImageSet& set, std::int64_t limit) {
  if (limit <= 0 || limit >= set.count) return;
  set.count = limit;
  set.pixels.resize(static_cast<std::size_t>(limit) * set.rows * set.cols);
  set.labels.resize(static_cast<std::size_t>(limit));
}

void ShuffleEpochOrder(std::uint64_t seed, std::uint64_t epoch, std::vector<std::int32_t>& order) {
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<std::int32_t>(i);
  if (order.size() < 2) return;
  std::mt19937_64 rng(seed + epoch);
  for (std::size_t i = order.size() - 1; i > 0; --i) std::swap(order[i], order[rng() % (i + 1)]);
}

void GatherScaledRows(const checks::ImageSet& set, const std::int32_t* items, int count, float* x,
                      std::uint8_t* labels) {
  GatherScaledRows(set.pixels, set.labels, set.rows * set.cols, items, count, x, labels);
}

Result<TestSetScore> ScoreTestSet(const ForwardFunction& forward, const MlpShape& shape,
                                  const checks::ImageSet& test, std::vector<float>& x,
                                  std::vector<float>& logits) {
  const int inputs = shape.inputs;
  const int classes = shape.outputs;
  x.resize(static_cast<std::size_t>(kEvaluationBatch) * inputs);
  logits.resize(static_cast<std::size_t>(kEvaluationBatch) * classes);
  std::int64_t correct = 0;
  double loss = 0;
  for (std::int64_t start = 0; start < test.count; start += kEvaluationBatch) {
    const auto batch =
        static_cast<int>(std::min<std::int64_t>(kEvaluationBatch, test.count - start));
    const std::uint8_t* pixels = test.pixels.data() + static_cast<std::size_t>(start) * inputs;
    for (std::size_t i = 0; i < static_cast<std::size_t>(batch) * inputs; ++i) {
      x[i] = static_cast<float>(pixels[i]) * (1.0F / 255.0F);
    }
    LEPTON_RETURN_IF_ERROR(forward(x.data(), batch, logits.data()));
    for (int r = 0; r < batch; ++r) {
      const float* z = logits.data() + static_cast<std::size_t>(r) * classes;
      const int label = test.labels[static_cast<std::size_t>(start + r)];
      const int predicted = static_cast<int>(std::max_element(z, z + classes) - z);
      correct += predicted == label ? 1 : 0;
      const float max = z[predicted];
      double sum = 0;
      for (int c = 0; c < classes; ++c) sum += std::exp(static_cast<double>(z[c] - max));
      loss += std::log(sum) - static_cast<double>(z[label] - max);
    }
  }
  const auto count = static_cast<double>(test.count);
  return TestSetScore{static_cast<double>(correct) / count, loss / count};
}

}  // namespace lepton::bench
