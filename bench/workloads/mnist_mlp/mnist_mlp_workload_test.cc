#include "bench/workloads/mnist_mlp/mnist_mlp_workload.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "bench/api/run_workload_for_tests.h"
#include "bench/comm/idle_communicator_for_tests.h"
#include "bench/comm/self_communicator.h"
#include "bench/workloads/collectives/fake_group_for_tests.h"
#include "bench/workloads/mnist_mlp/data_parallel_mlp_workload.h"
#include "bench/workloads/mnist_mlp/mnist_mlp_inference_workload.h"

namespace lepton::bench {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

// A learnable stand-in for MNIST: 28x28 images of class c carry a bright 4x28 stripe at rows
// 2c..2c+3 plus uniform noise, so a trained MLP separates them almost perfectly. Every 20th label
// is shifted by one class, so no model can reach 100% on a split written with `noisy`.
void WriteSplit(const fs::path& dir, const std::string& split, int count, std::uint64_t seed,
                bool noisy) {
  std::mt19937_64 rng(seed);
  std::string images = {0, 0, 8, 3};
  std::string labels = {0, 0, 8, 1};
  for (std::uint32_t d : {static_cast<std::uint32_t>(count), 28u, 28u}) {
    for (int s = 24; s >= 0; s -= 8) images.push_back(static_cast<char>(d >> s));
  }
  for (int s = 24; s >= 0; s -= 8) labels.push_back(static_cast<char>(count >> s));
  for (int i = 0; i < count; ++i) {
    const int label = static_cast<int>(rng() % 10);
    labels.push_back(static_cast<char>(noisy && i % 20 == 0 ? (label + 1) % 10 : label));
    for (int row = 0; row < 28; ++row) {
      for (int col = 0; col < 28; ++col) {
        const bool stripe = row >= 2 * label && row < 2 * label + 4;
        images.push_back(static_cast<char>(stripe ? 200 + rng() % 56 : rng() % 60));
      }
    }
  }
  std::ofstream(dir / (split + "-images-idx3-ubyte"), std::ios::binary) << images;
  std::ofstream(dir / (split + "-labels-idx1-ubyte"), std::ios::binary) << labels;
}

class MnistMlpWorkloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("lepton_mnist_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    WriteSplit(dir_, "train", 2000, 1, false);
    WriteSplit(dir_, "t10k", 500, 2, true);
  }
  void TearDown() override { fs::remove_all(dir_); }

  [[nodiscard]] WorkloadContext Context(double target = 0.9) const {
    WorkloadContext context;
    context.params = {{"dataset.name", std::string("mnist")},
                      {"model.layers", std::vector<std::int64_t>{784, 32, 10}},
                      {"model.activation", std::string("relu")},
                      {"model.loss", std::string("softmax_cross_entropy")},
                      {"model.init", std::string("pytorch_linear_uniform")},
                      {"optimizer.name", std::string("adam")},
                      {"optimizer.lr", 0.001},
                      {"optimizer.beta1", 0.9},
                      {"optimizer.beta2", 0.999},
                      {"optimizer.epsilon", 1e-8},
                      {"batch_size", std::int64_t{64}},
                      {"epochs", std::int64_t{3}},
                      {"seed", std::int64_t{5}},
                      {"precision", std::string("fp32")},
                      {"quality_target.accuracy", target}};
    context.dataset_dirs["mnist"] = dir_;
    return context;
  }

  fs::path dir_;
};

// Alone, the data-parallel path is the single-rank training to the last bit: the gradient scaled
// by a share of 1 and all-reduced over one rank is the gradient. (Several ranks: the MPI end-to-end
// test, e2e.run_ci_profile_mpi_np2, judges PERF-MLP-DP-* on two.)
TEST_F(MnistMlpWorkloadTest, DataParallelOnOneRankIsTheSingleRankRunExactly) {
  auto communicator = MakeSelfCommunicator();
  WorkloadContext context = Context();
  context.communicator = communicator.get();
  auto workload = MakeDataParallelMlpWorkload();
  ASSERT_TRUE(workload->Prepare(context).ok());
  EXPECT_TRUE(workload->UsesAllRanks());
  EXPECT_EQ(workload->StepNames(),
            (std::vector<std::string>{"single_rank_train", "data_parallel_train"}));
  const Metrics metrics = RunWithStepTimes(*workload, 0.5).value();
  EXPECT_EQ(std::get<double>(metrics.values.at("ranks")), 1.0);
  EXPECT_EQ(std::get<double>(metrics.values.at("weights_rel_l2_diff_single_rank")), 0.0);
  EXPECT_EQ(std::get<double>(metrics.values.at("weights_max_rel_diff_single_rank")), 0.0);
  // The untimed trace: the same to the last bit at every step, so no divergence to explain.
  EXPECT_EQ(std::get<double>(metrics.values.at("gradient_rel_l2_diff_single_rank")), 0.0);
  EXPECT_EQ(metrics.series.at("weights_rel_l2_diff_single_rank_by_step"),
            std::vector<double>(96, 0.0));
  EXPECT_FALSE(metrics.values.contains("weights_divergence_step"));
  EXPECT_EQ(std::get<double>(metrics.values.at("accuracy_diff_points")), 0.0);
  EXPECT_GT(std::get<double>(metrics.values.at("final_accuracy")), 0.9);
  // 2000 rows in batches of 64 make 32 steps an epoch: 96 in 3 epochs, all compared.
  EXPECT_EQ(std::get<double>(metrics.values.at("equivalence_steps")), 96.0);
  EXPECT_EQ(std::get<double>(metrics.values.at("scaling_efficiency")), 1.0);  // stubbed clock
  EXPECT_EQ(std::get<std::string>(metrics.values.at("gradient_communicator")), "self");
  EXPECT_THAT(std::get<std::string>(metrics.values.at("compute_device")), HasSubstr("oneDNN"));
}

// On devices: cuda the gradients are all-reduced by NCCL on the GPUs, which only a profile with
// comm: nccl sets up: without it, or when it could not be set up (no GPU, no NCCL), the workload
// is not measured and says why, before it loads anything.
TEST_F(MnistMlpWorkloadTest, DataParallelOnCudaWithoutNcclIsUnavailableWithTheReason) {
  auto communicator = MakeSelfCommunicator();
  WorkloadContext context = Context();
  context.communicator = communicator.get();
  context.device = "cuda";
  const Status no_nccl = MakeDataParallelMlpWorkload()->Prepare(context);
  EXPECT_EQ(no_nccl.code(), StatusCode::kUnavailable) << no_nccl.ToString();
  EXPECT_THAT(no_nccl.message(), HasSubstr("comm: nccl"));
  context.device_status = UnavailableError(
      "no CUDA device to run on: cudaGetDeviceCount: cudaErrorNoDevice (no CUDA-capable device "
      "is detected)");
  const Status no_gpu = MakeDataParallelMlpWorkload()->Prepare(context);
  EXPECT_EQ(no_gpu.code(), StatusCode::kUnavailable) << no_gpu.ToString();
  EXPECT_THAT(no_gpu.message(), HasSubstr("cudaErrorNoDevice"));
}

// NCCL's single-process mode (comm: nccl-local) with the fake group on host memory: one CPU
// model per group rank in this process, every step's gradients summed by one group call (all
// ranks' calls between GroupStart and GroupEnd, then one wait) before any model's Adam step.
// The weights equal the one-rank-per-process path's (bench/comm/mpi/mpi_communicator_test.cc,
// under mpirun); here the metrics and the calls.
TEST_F(MnistMlpWorkloadTest, DataParallelOverASingleProcessGroupDrivesEveryRank) {
  auto host = MakeSelfCommunicator();
  FakeGroup group(2);
  group.host_buffers_allowed = true;  // the CPU models' gradients are their own host memory
  WorkloadContext context = Context();
  context.communicator = host.get();
  context.device_group = &group;
  auto workload = MakeDataParallelMlpWorkload();
  const Status prepared = workload->Prepare(context);
  ASSERT_TRUE(prepared.ok()) << prepared.ToString();
  const Metrics metrics = RunWithStepTimes(*workload, 0.5).value();
  EXPECT_TRUE(group.violations.empty()) << group.violations.front();
  EXPECT_EQ(std::get<double>(metrics.values.at("ranks")), 2.0);
  EXPECT_EQ(std::get<std::string>(metrics.values.at("gradient_communicator")), "fake-group");
  EXPECT_EQ(std::get<double>(metrics.values.at("equivalence_steps")), 96.0);
  // Splitting the batch only reassociates float32 sums (PERF-MLP-DP-WEIGHTS' bound, and
  // PERF-MLP-DP-GRADIENT's on the first step's gradient, traced untimed after the run).
  EXPECT_LE(std::get<double>(metrics.values.at("weights_rel_l2_diff_single_rank")), 1e-5);
  EXPECT_LE(std::get<double>(metrics.values.at("gradient_rel_l2_diff_single_rank")), 1e-6);
  EXPECT_EQ(metrics.series.at("weights_rel_l2_diff_single_rank_by_step").size(), 96U);
  EXPECT_LE(std::get<double>(metrics.values.at("accuracy_diff_points")), 0.3);
  EXPECT_GT(std::get<double>(metrics.values.at("final_accuracy")), 0.9);
  EXPECT_EQ(std::get<double>(metrics.values.at("scaling_efficiency")), 0.5);  // stubbed clock
  EXPECT_THAT(std::get<std::string>(metrics.values.at("compute_device")),
              MatchesRegex(".*oneDNN.*, .*oneDNN.*"));
  // The untimed warm-up step, 96 timed steps, then the 96 of the untimed trace: one group call
  // and one wait each.
  std::string steps;
  for (int step = 0; step < 1 + 96 + 96; ++step) steps += "S01EW";
  EXPECT_EQ(group.log, steps);
}

TEST_F(MnistMlpWorkloadTest, DataParallelWithoutRanksToSumOverIsRefusedWithTheReason) {
  WorkloadContext context = Context();
  const Status neither = MakeDataParallelMlpWorkload()->Prepare(context);
  EXPECT_EQ(neither.code(), StatusCode::kUnavailable) << neither.ToString();
  EXPECT_THAT(neither.message(), HasSubstr("neither"));
  // The group drives every rank from one process: under a launcher's ranks it is refused.
  IdleCommunicator two("two", 0, 2);
  FakeGroup group(2);
  context.communicator = &two;
  context.device_group = &group;
  const Status launched = MakeDataParallelMlpWorkload()->Prepare(context);
  EXPECT_EQ(launched.code(), StatusCode::kFailedPrecondition) << launched.ToString();
  EXPECT_THAT(launched.message(), HasSubstr("one process"));
}

TEST_F(MnistMlpWorkloadTest, TrainsAndReportsTimeToAccuracy) {
  auto workload = MakeMnistMlpWorkload();
  ASSERT_TRUE(workload->Prepare(Context()).ok());
  EXPECT_EQ(workload->StepNames(), (std::vector<std::string>{"epoch_1", "epoch_2", "epoch_3"}));
  const Metrics metrics = RunWithStepTimes(*workload, 0.5).value();
  EXPECT_GT(std::get<double>(metrics.values.at("final_accuracy")), 0.9);
  EXPECT_EQ(std::get<bool>(metrics.values.at("reached_target")), true);
  const double epochs = std::get<double>(metrics.values.at("epochs_to_target"));
  EXPECT_EQ(std::get<double>(metrics.values.at("time_to_accuracy_s")), 0.5 * epochs);
  EXPECT_EQ(std::get<double>(metrics.values.at("train_samples_per_second")), 2000 * 3 / 1.5);
  EXPECT_EQ(std::get<double>(metrics.values.at("train_count")), 2000);
  EXPECT_EQ(workload->SamplesPerRun(), 2000.0 * 3);  // what energy per sample divides by
  EXPECT_EQ(metrics.series.at("test_accuracy").size(), 3u);
  EXPECT_EQ(std::get<std::string>(metrics.values.at("train_images_sha256")).size(), 64u);
  // The trained model exported as ONNX, checked and re-run by the reference executor.
  EXPECT_EQ(std::get<bool>(metrics.values.at("onnx_checker_passed")), true);
  EXPECT_LE(std::get<double>(metrics.values.at("onnx_max_abs_diff")), 1e-5);
  EXPECT_EQ(std::get<double>(metrics.values.at("onnx_prediction_agreement")), 1.0);
  EXPECT_GT(metrics.artifacts.at("model.onnx").size(), 100000u);
}

TEST_F(MnistMlpWorkloadTest, SameSeedSameCurve) {
  auto first = MakeMnistMlpWorkload();
  ASSERT_TRUE(first->Prepare(Context()).ok());
  const Metrics a = RunWithStepTimes(*first, 0.5).value();
  const Metrics b =
      RunWithStepTimes(*first, 0.5).value();  // a second run of the same workload restarts
  EXPECT_EQ(a.series.at("test_accuracy"), b.series.at("test_accuracy"));
  EXPECT_EQ(a.series.at("train_loss"), b.series.at("train_loss"));
}

TEST_F(MnistMlpWorkloadTest, UnreachedTargetIsAFailedRunWithReason) {
  auto workload = MakeMnistMlpWorkload();
  ASSERT_TRUE(workload->Prepare(Context(1.0)).ok());
  const Metrics metrics = RunWithStepTimes(*workload, 0.5).value();
  EXPECT_EQ(std::get<bool>(metrics.values.at("reached_target")), false);
  EXPECT_FALSE(metrics.values.contains("time_to_accuracy_s"));
  EXPECT_THAT(metrics.not_measured.at("time_to_accuracy_s"),
              HasSubstr("test accuracy never reached 1 in 3 epochs"));
}

TEST_F(MnistMlpWorkloadTest, SubsetsAndShapeChecks) {
  auto context = Context();
  context.params["dataset.train_samples"] = std::int64_t{100};
  auto workload = MakeMnistMlpWorkload();
  ASSERT_TRUE(workload->Prepare(context).ok());
  const Metrics metrics = RunWithStepTimes(*workload, 0.5).value();
  EXPECT_EQ(std::get<double>(metrics.values.at("train_samples_per_second")), 100 * 3 / 1.5);
  EXPECT_EQ(std::get<double>(metrics.values.at("train_count")), 2000);  // the files' count
  EXPECT_EQ(workload->SamplesPerRun(), 100.0 * 3);

  context.params["model.layers"] = std::vector<std::int64_t>{100, 32, 10};
  EXPECT_THAT(MakeMnistMlpWorkload()->Prepare(context).message(),
              HasSubstr("does not fit 28x28 images in 10 classes"));
}

// Official MNIST has a default folder now (data/mnist, installed by tools/setup/install_data.sh;
// conformance/checks/dataset_catalog_test.cc checks that the default finds it). A folder named
// with --data that holds nothing is NotFound, naming it: never a silent skip.
TEST_F(MnistMlpWorkloadTest, AGivenFolderWithoutTheFilesIsNotFound) {
  auto context = Context();
  context.dataset_dirs["mnist"] = dir_ / "nowhere";
  const Status missing = MakeMnistMlpWorkload()->Prepare(context);
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.message(), HasSubstr("nowhere"));
}

TEST_F(MnistMlpWorkloadTest, InferenceLatencyPercentilesComeFromTheRunnersTimes) {
  WorkloadContext context = Context();
  context.params["inference.small_batch"] = std::int64_t{1};
  context.params["inference.small_batch_requests"] = std::int64_t{20};
  context.params["inference.large_batch"] = std::int64_t{100};
  context.params["inference.large_batch_requests"] = std::int64_t{10};
  auto workload = MakeMnistMlpInferenceWorkload();
  ASSERT_TRUE(workload->Prepare(context).ok());
  const auto steps = workload->StepNames();
  // 20 small, 10 large, then 10 resident large requests (the same batch, inputs on the device).
  ASSERT_EQ(steps.size(), 40u);
  EXPECT_EQ(steps[30], "resident_0");
  EXPECT_EQ(workload->SamplesPerRun(), 20.0 * 1 + 2 * 10.0 * 100);
  std::vector<double> seconds;
  for (std::size_t step = 0; step < steps.size(); ++step) {
    ASSERT_TRUE(workload->RunStep(step).ok()) << steps[step];
    // Stubbed clock: small requests take 1..20 ms, large ones 10 ms, resident ones 4 ms.
    seconds.push_back(step < 20 ? static_cast<double>(step + 1) / 1000.0
                                : (step < 30 ? 0.010 : 0.004));
  }
  const Metrics metrics = workload->FinishRun(seconds).value();
  EXPECT_DOUBLE_EQ(std::get<double>(metrics.values.at("small_batch_latency_p50_ms")), 10.5);
  EXPECT_DOUBLE_EQ(std::get<double>(metrics.values.at("small_batch_latency_p99_ms")), 19.81);
  EXPECT_DOUBLE_EQ(std::get<double>(metrics.values.at("small_batch_images_per_second")),
                   20.0 / 0.210);
  EXPECT_DOUBLE_EQ(std::get<double>(metrics.values.at("large_batch_images_per_second")),
                   1000.0 / 0.100);
  EXPECT_DOUBLE_EQ(std::get<double>(metrics.values.at("resident_images_per_second")),
                   1000.0 / 0.040);
  // 784-32-10 here: 2 x (784 x 32 + 32 x 10) FLOPs an image.
  EXPECT_DOUBLE_EQ(std::get<double>(metrics.values.at("resident_gflops")),
                   1000.0 / 0.040 * 2 * (784 * 32 + 32 * 10) / 1e9);
  // The CPU states why it has no fp32 peak of its own here.
  EXPECT_THAT(metrics.not_measured.at("resident_fp32_peak_fraction"), HasSubstr("cpu-gemm"));
  EXPECT_THAT(metrics.values.at("compute_device"),
              ::testing::VariantWith<std::string>(HasSubstr("cpu: oneDNN")));
}

TEST_F(MnistMlpWorkloadTest, InferenceRefusesBatchesLargerThanTheTestSet) {
  WorkloadContext context = Context();
  context.params["inference.small_batch"] = std::int64_t{1};
  context.params["inference.small_batch_requests"] = std::int64_t{20};
  context.params["inference.large_batch"] = std::int64_t{501};
  context.params["inference.large_batch_requests"] = std::int64_t{10};
  EXPECT_THAT(MakeMnistMlpInferenceWorkload()->Prepare(context).message(),
              HasSubstr("a batch of 501 exceeds the 500 test images"));
}

}  // namespace
}  // namespace lepton::bench
