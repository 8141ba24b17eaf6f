#include "bench/workloads/mnist_mlp/split_training.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bench/workloads/collectives/fake_group_for_tests.h"
#include "bench/workloads/mnist_mlp/mlp_data.h"
#include "bench/workloads/mnist_mlp/split_models_for_tests.h"

namespace lepton::bench {
namespace {

constexpr MlpShape kShape{16, 8, 4};

SplitTraining Training(std::int64_t epochs) {
  SplitTraining training;
  training.epochs = epochs;
  training.batch_size = 8;
  training.seed = 11;
  return training;
}

// A CPU model that writes its part of each step into the fake group's log, so that the models'
// calls and the group's (S012EW) form one timeline: cR when rank R's slice is launched, wR when
// its gradients are waited for, aR for its Adam step. A wait can be made to fail, as a hung GPU's.
class RecordingModel final : public MlpModel {
 public:
  RecordingModel(std::unique_ptr<MlpModel> model, int rank, std::string& log)
      : model_(std::move(model)), rank_(std::to_string(rank)), log_(log) {}

  Status wait_error = OkStatus();

  [[nodiscard]] const MlpShape& shape() const override { return model_->shape(); }
  [[nodiscard]] std::string description() const override { return model_->description(); }
  Status Initialize(std::uint64_t seed) override { return model_->Initialize(seed); }
  Status SetTrainingSet(std::span<const std::uint8_t> pixels,
                        std::span<const std::uint8_t> labels) override {
    return model_->SetTrainingSet(pixels, labels);
  }
  Result<double> TrainEpoch(std::span<const std::int32_t> order, int batch_size,
                            const AdamSettings& adam) override {
    return model_->TrainEpoch(order, batch_size, adam);
  }
  Status BeginSplitEpoch(std::span<const std::int32_t> order, int batch_size) override {
    return model_->BeginSplitEpoch(order, batch_size);
  }
  Status ComputeSliceGradients(int first, int rows) override {
    log_ += "c" + rank_;
    return model_->ComputeSliceGradients(first, rows);
  }
  Status WaitForGradients() override {
    log_ += "w" + rank_;
    LEPTON_RETURN_IF_ERROR(wait_error);
    return model_->WaitForGradients();
  }
  [[nodiscard]] float* gradients() override { return model_->gradients(); }
  Status ApplyAdam(const AdamSettings& adam) override {
    log_ += "a" + rank_;
    return model_->ApplyAdam(adam);
  }
  Status Forward(const float* x, int batch, float* logits) override {
    return model_->Forward(x, batch, logits);
  }
  Result<std::vector<float>> Parameters() override { return model_->Parameters(); }
  Status SetResidentInputs(std::span<const float> x) override {
    return model_->SetResidentInputs(x);
  }
  Status ForwardResident(int first, int batch) override {
    return model_->ForwardResident(first, batch);
  }
  [[nodiscard]] Result<double> PeakFp32Flops() const override { return model_->PeakFp32Flops(); }

 private:
  std::unique_ptr<MlpModel> model_;
  std::string rank_;
  std::string& log_;
};

// Recording models that take over `models`' CPU models, logging into `group`'s log.
std::vector<std::unique_ptr<RecordingModel>> RecordingModels(SplitTestModels& models,
                                                             FakeGroup& group) {
  std::vector<std::unique_ptr<RecordingModel>> recording;
  for (std::size_t r = 0; r < models.owned.size(); ++r) {
    recording.push_back(std::make_unique<RecordingModel>(std::move(models.owned[r]),
                                                         static_cast<int>(r), group.log));
  }
  return recording;
}

std::vector<MlpModel*> Pointers(const std::vector<std::unique_ptr<RecordingModel>>& models) {
  std::vector<MlpModel*> pointers;
  for (const auto& model : models) pointers.push_back(model.get());
  return pointers;
}

// The order before the launches were parted from the waits: rank after rank, each model's slice
// computed and read before the next one's is launched, then the sum as the fake group takes it
// (in double, in rank order, rounded once), then every model's Adam step. Rank 0's weights.
std::vector<float> SerialOrderWeights(const SplitTestData& data, int n,
                                      const SplitTraining& training) {
  auto models = MakeSplitTestModels(data, n, static_cast<int>(training.batch_size), 2);
  EXPECT_TRUE(models.has_value());
  if (!models.has_value()) return {};
  const std::size_t count = MlpLayout(kShape).count;
  const auto items = static_cast<std::int64_t>(data.labels.size());
  std::vector<std::int32_t> order(data.labels.size());
  for (std::int64_t epoch = 0; epoch < training.epochs; ++epoch) {
    ShuffleEpochOrder(training.seed, static_cast<std::uint64_t>(epoch), order);
    for (MlpModel* model : models->models) {
      EXPECT_TRUE(model->BeginSplitEpoch(order, static_cast<int>(training.batch_size)).ok());
    }
    for (std::int64_t start = 0; start < items; start += training.batch_size) {
      const auto global = static_cast<int>(std::min(training.batch_size, items - start));
      std::vector<double> sum(count, 0.0);
      for (int r = 0; r < n; ++r) {
        MlpModel& model = *models->models[static_cast<std::size_t>(r)];
        const int first = global * r / n;
        EXPECT_TRUE(model.ComputeSliceGradients(first, global * (r + 1) / n - first).ok());
        EXPECT_TRUE(model.WaitForGradients().ok());
        for (std::size_t i = 0; i < count; ++i) sum[i] += model.gradients()[i];
      }
      for (MlpModel* model : models->models) {
        std::transform(sum.begin(), sum.end(), model->gradients(),
                       [](double value) { return static_cast<float>(value); });
        EXPECT_TRUE(model->ApplyAdam(training.adam).ok());
      }
    }
  }
  return models->models.front()->Parameters().value_or(std::vector<float>{});
}

// A group of one takes every global batch whole and sums over itself: the alone rank's training
// exactly. 36 items in batches of 8 (the last short) for 25 epochs: 125 steps.
TEST(SplitTrainingTest, AGroupOfOneIsTheModelAloneExactly) {
  const SplitTestData data = MakeSplitTestData(kShape, 36, 1);
  auto alone = MakeSplitTestModel(data, 8, 2);
  auto grouped = MakeSplitTestModels(data, 1, 8, 2);
  ASSERT_TRUE(alone.has_value() && grouped.has_value());
  std::vector<std::int32_t> order(36);
  auto reference = TrainSplit(*MakeAloneRank(**alone), Training(25), order);
  ASSERT_TRUE(reference.has_value()) << reference.error().ToString();
  EXPECT_EQ(reference->steps, 125);
  FakeGroup group(1);
  group.host_buffers_allowed = true;
  auto result = TrainSplit(*MakeGroupRanks(grouped->models, group), Training(25), order);
  ASSERT_TRUE(result.has_value()) << result.error().ToString();
  EXPECT_EQ(result->weights, reference->weights);
  EXPECT_EQ(result->steps, 125);
  EXPECT_EQ((*alone)->Parameters().value(), grouped->models.front()->Parameters().value());
}

// Every rank of a group applies the same summed gradients, so all end with the same weights; a
// step limit stops early (the workload's untimed warm-up takes one step).
TEST(SplitTrainingTest, EveryRankOfAGroupEndsWithTheSameWeights) {
  const SplitTestData data = MakeSplitTestData(kShape, 36, 1);
  auto grouped = MakeSplitTestModels(data, 3, 8, 2);
  ASSERT_TRUE(grouped.has_value());
  FakeGroup group(3);
  group.host_buffers_allowed = true;
  auto ranks = MakeGroupRanks(grouped->models, group);
  std::vector<std::int32_t> order(36);
  SplitTraining one_step = Training(2);
  one_step.step_limit = 1;
  auto warm = TrainSplit(*ranks, one_step, order);
  ASSERT_TRUE(warm.has_value()) << warm.error().ToString();
  EXPECT_EQ(warm->steps, 1);
  EXPECT_EQ(group.log, "S012EW");
  auto result = TrainSplit(*ranks, Training(2), order);
  ASSERT_TRUE(result.has_value()) << result.error().ToString();
  EXPECT_EQ(result->steps, 10);  // 5 steps an epoch
  EXPECT_TRUE(group.violations.empty()) << group.violations.front();
  for (MlpModel* model : grouped->models) EXPECT_EQ(model->Parameters().value(), result->weights);
}

// Three CPU models driven through a fake group (which accepts their host buffers), over 36
// items in global batches of 8, so the last batch of an epoch is short.
struct ThreeRankGroup {
  ThreeRankGroup() { group.host_buffers_allowed = true; }
  SplitTestData data = MakeSplitTestData(kShape, 36, 1);
  Result<SplitTestModels> models = MakeSplitTestModels(data, 3, 8, 2);
  FakeGroup group{3};
  std::vector<std::int32_t> order = std::vector<std::int32_t>(36);
};

// A group's GPUs compute their slices at the same time: every driven model's slice is launched
// before the first wait, and every model is waited for before the group's sum (NCCL reads the
// gradients on its own stream); then each model's Adam step.
TEST(SplitTrainingTest, EverySliceIsLaunchedBeforeAnyWaitAndAllAreWaitedForBeforeTheSum) {
  ThreeRankGroup three;
  ASSERT_TRUE(three.models.has_value());
  const auto recording = RecordingModels(*three.models, three.group);
  SplitTraining two_steps = Training(1);
  two_steps.step_limit = 2;
  auto result =
      TrainSplit(*MakeGroupRanks(Pointers(recording), three.group), two_steps, three.order);
  ASSERT_TRUE(result.has_value()) << result.error().ToString();
  EXPECT_EQ(three.group.log, "c0c1c2w0w1w2S012EWa0a1a2c0c1c2w0w1w2S012EWa0a1a2");
  EXPECT_TRUE(three.group.violations.empty()) << three.group.violations.front();
}

// On the CPU the new order changes no number: the weights are those of the serial order, bit for
// bit, over two epochs of three ranks (the last global batch short: 36 items in batches of 8).
TEST(SplitTrainingTest, TheOverlappedOrderGivesTheSerialOrdersWeightsBitForBit) {
  ThreeRankGroup three;
  ASSERT_TRUE(three.models.has_value());
  auto result =
      TrainSplit(*MakeGroupRanks(three.models->models, three.group), Training(2), three.order);
  ASSERT_TRUE(result.has_value()) << result.error().ToString();
  const std::vector<float> serial = SerialOrderWeights(three.data, 3, Training(2));
  ASSERT_FALSE(serial.empty());
  EXPECT_EQ(result->weights, serial);
}

// A wait that fails (a GPU that hung in its slice) is the training's error as the model words
// it; nothing is summed and no Adam step is taken after it.
TEST(SplitTrainingTest, AFailedWaitIsTheErrorAndNothingIsSummed) {
  ThreeRankGroup three;
  ASSERT_TRUE(three.models.has_value());
  const auto recording = RecordingModels(*three.models, three.group);
  const std::string hung =
      "cuda:1: ComputeSliceGradients: the GPU's work has not completed within 2.0 s "
      "(LEPTON_DEVICE_TIMEOUT_S); the device is hung";
  recording[1]->wait_error = DeadlineExceededError(hung);
  auto result =
      TrainSplit(*MakeGroupRanks(Pointers(recording), three.group), Training(1), three.order);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(result.error().message(), hung);
  EXPECT_EQ(three.group.log, "c0c1c2w0w1");
}

}  // namespace
}  // namespace lepton::bench
