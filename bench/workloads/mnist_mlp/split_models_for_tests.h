#pragma once
// TEST ONLY: small CPU MLPs, every one from the same seed on the same seeded random training set,
// for the tests of the data-parallel step (the ranks, the step loop, and the MPI test that
// compares one rank per process with a single-process group).

#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include "bench/backends/model_factories.h"
#include "bench/models/mlp_model.h"

namespace lepton::bench {

struct SplitTestData {
  MlpShape shape;
  std::vector<std::uint8_t> pixels;  // count x inputs
  std::vector<std::uint8_t> labels;
};

inline SplitTestData MakeSplitTestData(MlpShape shape, int count, std::uint64_t seed) {
  SplitTestData data{shape, {}, {}};
  std::mt19937_64 rng(seed);
  for (int i = 0; i < count; ++i) {
    data.labels.push_back(static_cast<std::uint8_t>(rng() % static_cast<unsigned>(shape.outputs)));
    for (int p = 0; p < shape.inputs; ++p) data.pixels.push_back(static_cast<std::uint8_t>(rng()));
  }
  return data;
}

// A CPU model initialized from `seed` and holding `data` as its training set.
inline Result<std::unique_ptr<MlpModel>> MakeSplitTestModel(const SplitTestData& data,
                                                            int max_batch, std::uint64_t seed) {
  MlpModelOptions options;
  options.shape = data.shape;
  options.max_batch = max_batch;
  LEPTON_ASSIGN_OR_RETURN(std::unique_ptr<MlpModel> model, MakeMlpModel(options));
  LEPTON_RETURN_IF_ERROR(model->Initialize(seed));
  LEPTON_RETURN_IF_ERROR(model->SetTrainingSet(data.pixels, data.labels));
  return model;
}

// `n` such models and their pointers, e.g. one per rank of a group.
struct SplitTestModels {
  std::vector<std::unique_ptr<MlpModel>> owned;
  std::vector<MlpModel*> models;
};

inline Result<SplitTestModels> MakeSplitTestModels(const SplitTestData& data, int n, int max_batch,
                                                   std::uint64_t seed) {
  SplitTestModels result;
  for (int r = 0; r < n; ++r) {
    LEPTON_ASSIGN_OR_RETURN(std::unique_ptr<MlpModel> model,
                            MakeSplitTestModel(data, max_batch, seed));
    result.models.push_back(model.get());
    result.owned.push_back(std::move(model));
  }
  return result;
}

}  // namespace lepton::bench
