#pragma once
// What the MNIST workloads share: a split of the dataset named by dataset.name, the MLP shape
// pinned by model.layers (checked against the images), Adam's settings, and the training
// workloads' data path (the epoch's shuffle, the batch gather, the test-set evaluation), so the
// single-rank and data-parallel training see exactly the same batches and scores.

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "bench/api/workload.h"
#include "bench/models/mlp_batches.h"
#include "bench/models/mlp_definition.h"
#include "bench/models/mlp_model.h"
#include "conformance/checks/image_dataset.h"

namespace lepton::bench {

struct LoadedSplit {
  checks::ImageSet images;
  int classes = 0;
};

// `split` is "train" or "t10k". Unavailable when the dataset has no directory (official MNIST
// without --data); NotFound or DataLoss from the files.
Result<LoadedSplit> LoadWorkloadSplit(const WorkloadContext& context, const std::string& split);

// model.layers as an MlpShape; InvalidArgument when it does not fit the images and classes.
Result<MlpShape> CheckedMlpShape(const WorkloadContext& context, const LoadedSplit& split);

// optimizer.lr, beta1, beta2 and epsilon.
Result<AdamSettings> ReadAdamSettings(const WorkloadContext& context);

// Keeps the first `limit` images (all when limit <= 0 or beyond the count): dataset.train_samples
// and dataset.test_samples.
void KeepFirstImages(checks::ImageSet& set, std::int64_t limit);

// The epoch's training order: 0..n-1 shuffled with std::mt19937_64(seed + epoch).
void ShuffleEpochOrder(std::uint64_t seed, std::uint64_t epoch, std::vector<std::int32_t>& order);

// Images items[0..count) of an image set as rows of x, as the models gather them
// (bench/models/mlp_batches.h), with their labels.
void GatherScaledRows(const checks::ImageSet& set, const std::int32_t* items, int count, float* x,
                      std::uint8_t* labels);

inline constexpr int kEvaluationBatch = 1000;

struct TestSetScore {
  double accuracy = 0;
  double loss = 0;  // mean cross-entropy
};

// A model's forward pass: logits (batch x outputs) for `batch` rows of x.
using ForwardFunction = std::function<Status(const float* x, int batch, float* logits)>;

// The model on the whole test set in batches of kEvaluationBatch (the model must hold that many
// rows); x and logits are scratch, resized here once.
Result<TestSetScore> ScoreTestSet(const ForwardFunction& forward, const MlpShape& shape,
                                  const checks::ImageSet& test, std::vector<float>& x,
                                  std::vector<float>& logits);
// The same for a model with shape() and Forward(x, batch, logits): an MlpModel, or the CPU's Mlp.
template <class Model>
Result<TestSetScore> ScoreTestSet(Model& model, const checks::ImageSet& test, std::vector<float>& x,
                                  std::vector<float>& logits) {
  return ScoreTestSet(
      [&model](const float* in, int batch, float* out) { return model.Forward(in, batch, out); },
      model.shape(), test, x, logits);
}

}  // namespace lepton::bench
