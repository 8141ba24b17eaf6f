#pragma once
// What both MNIST workloads read from their parameters: a split of the dataset named by
// dataset.name, and the MLP shape pinned by model.layers, checked against the images.

#include <string>

#include "bench/api/workload.h"
#include "bench/workloads/mnist_mlp/mlp.h"
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

}  // namespace lepton::bench
