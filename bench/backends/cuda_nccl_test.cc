// The NCCL communicator and device memory of the CUDA module, through the loader, with one rank
// over the self communicator, and the single-process group over every GPU (ncclCommInitAll) (NCCL
// allows one rank per GPU; several ranks are e2e.nccl_path's and the README's mpirun). Without a
// GPU every GPU case skips with the reason, and the refusal itself is checked.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <numeric>
#include <vector>

#include "bench/backends/cuda_backend.h"
#include "bench/comm/self_communicator.h"
#include "bench/models/mlp_model.h"
#include "bench/models/mlp_parameters.h"
#include "bench/workloads/collectives/collective_ops.h"

namespace lepton::bench {
namespace {

class CudaNcclTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto backend = LoadCudaBackend();
    if (!backend) GTEST_SKIP() << backend.error().message();
    backend_ = *backend;
    auto memory = backend_->MakeDeviceMemory(0);
    if (!memory) {
      unavailable_ = memory.error();
      return;
    }
    memory_ = std::move(*memory);
  }
  // Skips the calling test without a device, with the reason.
  [[nodiscard]] bool NoDevice() const { return memory_ == nullptr; }

  CudaBackend* backend_ = nullptr;
  std::unique_ptr<DeviceMemory> memory_;
  Status unavailable_;
  std::unique_ptr<Communicator> self_ = MakeSelfCommunicator();
};

TEST_F(CudaNcclTest, WithoutAGpuNcclIsRefusedWithTheReason) {
  if (!NoDevice()) GTEST_SKIP() << "a GPU is present: " << memory_->description();
  EXPECT_EQ(unavailable_.code(), StatusCode::kUnavailable) << unavailable_.ToString();
  const auto nccl = backend_->MakeNcclCommunicator(*self_, 0, 10.0);
  ASSERT_FALSE(nccl.has_value());
  EXPECT_EQ(nccl.error().code(), StatusCode::kUnavailable) << nccl.error().ToString();
  EXPECT_NE(nccl.error().message().find("rank 0"), std::string::npos) << nccl.error().ToString();
}

TEST_F(CudaNcclTest, DeviceMemoryRoundTrips) {
  if (NoDevice()) GTEST_SKIP() << unavailable_.message();
  std::vector<float> host(1 << 20);
  std::iota(host.begin(), host.end(), 1.0F);
  auto buffer = DeviceBuffer::Allocate(*memory_, host.size() * sizeof(float));
  ASSERT_TRUE(buffer.has_value()) << buffer.error().ToString();
  ASSERT_TRUE(buffer->Upload(host.data(), host.size() * sizeof(float)).ok());
  std::vector<float> back(host.size());
  ASSERT_TRUE(buffer->Download(back.data(), back.size() * sizeof(float)).ok());
  EXPECT_EQ(back, host);
}

TEST_F(CudaNcclTest, DeviceOutOfMemoryNamesTheAllocation) {
  if (NoDevice()) GTEST_SKIP() << unavailable_.message();
  const auto huge = memory_->Allocate(std::size_t{1} << 50);  // 1 PiB
  ASSERT_FALSE(huge.has_value());
  EXPECT_EQ(huge.error().code(), StatusCode::kResourceExhausted) << huge.error().ToString();
  EXPECT_NE(huge.error().message().find("cudaMalloc"), std::string::npos);
}

TEST_F(CudaNcclTest, OneRankRunsEveryCollectiveExactlyOnDeviceBuffers) {
  if (NoDevice()) GTEST_SKIP() << unavailable_.message();
  auto nccl = backend_->MakeNcclCommunicator(*self_, 0, 60.0);
  ASSERT_TRUE(nccl.has_value()) << nccl.error().ToString();
  EXPECT_EQ((*nccl)->name(), "nccl");
  EXPECT_EQ((*nccl)->size(), 1);
  for (const DataType type : {DataType::kFloat32, DataType::kBfloat16}) {
    for (const CollectiveKind kind : AllCollectives()) {
      for (const bool in_place : {false, true}) {
        for (const std::size_t block : {std::size_t{1}, std::size_t{1000}, std::size_t{1} << 20}) {
          CollectiveCase collective(kind, block, in_place, 0, 1, type);
          ASSERT_TRUE(collective.AttachDevice(*memory_).ok());
          collective.Fill();
          ASSERT_TRUE(collective.Upload().ok());
          const Status ran = collective.Run(**nccl);
          ASSERT_TRUE(ran.ok()) << CollectiveName(kind) << ": " << ran.ToString();
          ASSERT_TRUE(collective.Download().ok());
          EXPECT_EQ(collective.CountWrong(), 0)
              << CollectiveName(kind) << (in_place ? " in place, " : " out of place, ") << block
              << " " << DataTypeName(type);
        }
      }
    }
  }
  EXPECT_TRUE((*nccl)->Barrier().ok());
}

// The collectives workload's timing: many calls enqueued (more than the 128 the communicator
// leaves in flight, and in-place ones whose staging buffer grows meanwhile), one Synchronize.
TEST_F(CudaNcclTest, AsynchronousCallsAreExactAfterOneSynchronize) {
  if (NoDevice()) GTEST_SKIP() << unavailable_.message();
  auto nccl = backend_->MakeNcclCommunicator(*self_, 0, 60.0);
  ASSERT_TRUE(nccl.has_value()) << nccl.error().ToString();
  for (const CollectiveKind kind : AllCollectives()) {
    std::vector<std::unique_ptr<CollectiveCase>> cases;
    for (const bool in_place : {false, true}) {
      for (const std::size_t block : {std::size_t{1}, std::size_t{1000}, std::size_t{1} << 18}) {
        cases.push_back(std::make_unique<CollectiveCase>(kind, block, in_place, 0, 1));
        ASSERT_TRUE(cases.back()->AttachDevice(*memory_).ok());
        cases.back()->Fill();
        ASSERT_TRUE(cases.back()->Upload().ok());
      }
    }
    (*nccl)->SetAsynchronous(true);
    EXPECT_TRUE((*nccl)->asynchronous());
    for (int iteration = 0; iteration < 50; ++iteration) {
      for (auto& collective : cases) {
        const Status ran = collective->Run(**nccl);
        ASSERT_TRUE(ran.ok()) << CollectiveName(kind) << ": " << ran.ToString();
      }
    }
    const Status synchronized = (*nccl)->Synchronize();
    ASSERT_TRUE(synchronized.ok()) << synchronized.ToString();
    (*nccl)->SetAsynchronous(false);
    for (auto& collective : cases) {
      ASSERT_TRUE(collective->Download().ok());
      EXPECT_EQ(collective->CountWrong(), 0) << CollectiveName(kind);
    }
  }
}

// The data-parallel MNIST's path on the device (data_parallel_mlp_workload.cc): the CUDA model's
// gradient buffer, in the GPU's memory, all-reduced in place by NCCL between the split step's two
// halves. Over one rank the sum is the gradient itself, so the weights are those of the same
// steps without the all-reduce, exactly.
TEST_F(CudaNcclTest, TheMlpsGradientsAreAllReducedInPlaceOnTheDevice) {
  if (NoDevice()) GTEST_SKIP() << unavailable_.message();
  auto nccl = backend_->MakeNcclCommunicator(*self_, 0, 60.0);
  ASSERT_TRUE(nccl.has_value()) << nccl.error().ToString();
  const MlpShape shape{.inputs = 784, .hidden = 256, .outputs = 10};
  constexpr int kItems = 1000;
  std::vector<std::uint8_t> pixels(static_cast<std::size_t>(kItems) * shape.inputs);
  std::vector<std::uint8_t> labels(kItems);
  for (std::size_t i = 0; i < pixels.size(); ++i)
    pixels[i] = static_cast<std::uint8_t>(i * 7 % 251);
  for (std::size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<std::uint8_t>(i % 10);
  std::vector<std::int32_t> order(kItems);
  std::iota(order.begin(), order.end(), 0);
  std::vector<std::vector<float>> weights;
  for (const bool all_reduce : {true, false}) {
    MlpModelOptions options{"cuda", shape, 64, MlpPrecision::kFp32};
    options.cuda_device = memory_->device_index();
    auto model = backend_->MakeMlp(options);
    ASSERT_TRUE(model.has_value()) << model.error().ToString();
    MlpModel& m = **model;
    ASSERT_TRUE(m.Initialize(3).ok());
    ASSERT_TRUE(m.SetTrainingSet(pixels, labels).ok());
    ASSERT_TRUE(m.BeginSplitEpoch(order, 64).ok());
    for (int start = 0; start < kItems; start += 64) {
      const Status computed = m.ComputeSliceGradients(0, std::min(64, kItems - start));
      ASSERT_TRUE(computed.ok()) << computed.ToString();
      const Status waited = m.WaitForGradients();
      ASSERT_TRUE(waited.ok()) << waited.ToString();
      if (all_reduce) {
        const Status reduced =
            (*nccl)->AllReduce(m.gradients(), m.gradients(), MlpLayout(shape).count,
                               DataType::kFloat32, ReduceOp::kSum);
        ASSERT_TRUE(reduced.ok()) << reduced.ToString();
      }
      ASSERT_TRUE(m.ApplyAdam(AdamSettings{}).ok());
    }
    auto parameters = m.Parameters();
    ASSERT_TRUE(parameters.has_value()) << parameters.error().ToString();
    weights.push_back(std::move(*parameters));
  }
  EXPECT_EQ(weights[0], weights[1]);
}

TEST_F(CudaNcclTest, PeersOutsideTheWorldAreRejectedWithoutAborting) {
  if (NoDevice()) GTEST_SKIP() << unavailable_.message();
  auto nccl = backend_->MakeNcclCommunicator(*self_, 0, 60.0);
  ASSERT_TRUE(nccl.has_value()) << nccl.error().ToString();
  auto buffer = DeviceBuffer::Allocate(*memory_, sizeof(float));
  ASSERT_TRUE(buffer.has_value());
  EXPECT_EQ((*nccl)->Broadcast(buffer->data(), buffer->data(), 1, DataType::kFloat32, 1).code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE((*nccl)
                  ->AllReduce(buffer->data(), buffer->data(), 1, DataType::kFloat32, ReduceOp::kSum)
                  .ok());
}

TEST_F(CudaNcclTest, ADeviceThisProcessDoesNotSeeIsRefusedOnEveryRank) {
  if (NoDevice()) GTEST_SKIP() << unavailable_.message();
  const auto nccl = backend_->MakeNcclCommunicator(*self_, 4096, 10.0);
  ASSERT_FALSE(nccl.has_value());
  EXPECT_EQ(nccl.error().code(), StatusCode::kUnavailable) << nccl.error().ToString();
  EXPECT_NE(nccl.error().message().find("one rank per GPU"), std::string::npos)
      << nccl.error().ToString();
}

// NCCL's single-process mode (CudaBackend::MakeNcclLocalGroup, ncclCommInitAll) over every GPU
// this process sees: one rank on a one-GPU machine, all of them on a multi-GPU node. Without a
// GPU the group is refused at once with the reason, which is checked.
class CudaNcclLocalGroupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto backend = LoadCudaBackend();
    if (!backend) GTEST_SKIP() << backend.error().message();
    backend_ = *backend;
    auto group = backend_->MakeNcclLocalGroup({}, 60.0);
    if (!group) {
      unavailable_ = group.error();
      return;
    }
    group_ = std::move(*group);
  }
  [[nodiscard]] bool NoGroup() const { return group_ == nullptr; }

  // One group call of every rank's case, then one wait.
  Status RunOnce(std::vector<std::unique_ptr<CollectiveCase>>& cases) {
    LEPTON_RETURN_IF_ERROR(group_->GroupStart());
    Status status = OkStatus();
    for (int r = 0; r < group_->size() && status.ok(); ++r) {
      status = cases[static_cast<std::size_t>(r)]->Run(group_->communicator(r));
    }
    const Status ended = group_->GroupEnd();
    return status.ok() ? ended : status;
  }
  Result<std::vector<std::unique_ptr<CollectiveCase>>> Cases(CollectiveKind kind, std::size_t block,
                                                             bool in_place, DataType type) {
    std::vector<std::unique_ptr<CollectiveCase>> cases;
    for (int r = 0; r < group_->size(); ++r) {
      cases.push_back(
          std::make_unique<CollectiveCase>(kind, block, in_place, r, group_->size(), type));
      LEPTON_RETURN_IF_ERROR(cases.back()->AttachDevice(group_->memory(r)));
      cases.back()->Fill();
      LEPTON_RETURN_IF_ERROR(cases.back()->Upload());
    }
    return cases;
  }

  CudaBackend* backend_ = nullptr;
  std::unique_ptr<CommunicatorGroup> group_;
  Status unavailable_;
};

TEST_F(CudaNcclLocalGroupTest, WithoutAGpuTheGroupIsRefusedWithTheReason) {
  if (!NoGroup()) GTEST_SKIP() << "GPUs are present: " << group_->size() << " rank(s)";
  EXPECT_EQ(unavailable_.code(), StatusCode::kUnavailable) << unavailable_.ToString();
  EXPECT_NE(unavailable_.message().find("CUDA"), std::string::npos) << unavailable_.ToString();
}

TEST_F(CudaNcclLocalGroupTest, EveryCollectiveIsExactOnEveryGpu) {
  if (NoGroup()) GTEST_SKIP() << unavailable_.message();
  EXPECT_EQ(group_->name(), "nccl (single process, ncclCommInitAll)");
  ASSERT_GE(group_->size(), 1);
  for (int r = 0; r < group_->size(); ++r) {
    EXPECT_EQ(group_->communicator(r).rank(), r);
    EXPECT_EQ(group_->communicator(r).size(), group_->size());
    EXPECT_TRUE(group_->communicator(r).asynchronous());
  }
  for (const DataType type : {DataType::kFloat32, DataType::kBfloat16}) {
    for (const CollectiveKind kind : AllCollectives()) {
      for (const bool in_place : {false, true}) {
        for (const std::size_t block : {std::size_t{1}, std::size_t{1000}, std::size_t{1} << 18}) {
          auto cases = Cases(kind, block, in_place, type);
          ASSERT_TRUE(cases.has_value()) << cases.error().ToString();
          const Status ran = RunOnce(*cases);
          ASSERT_TRUE(ran.ok()) << CollectiveName(kind) << ": " << ran.ToString();
          const Status waited = group_->Synchronize();
          ASSERT_TRUE(waited.ok()) << CollectiveName(kind) << ": " << waited.ToString();
          for (int r = 0; r < group_->size(); ++r) {
            auto& one = *(*cases)[static_cast<std::size_t>(r)];
            ASSERT_TRUE(one.Download().ok());
            EXPECT_EQ(one.CountWrong(), 0)
                << CollectiveName(kind) << (in_place ? " in place, " : " out of place, ") << block
                << " " << DataTypeName(type) << ", rank " << r;
          }
        }
      }
    }
  }
}

// The workload's timing in this mode: many group calls (more than the 128 left in flight, so
// GroupEnd waits once on its own), in-place ones whose staging buffer grows meanwhile, one wait.
TEST_F(CudaNcclLocalGroupTest, ManyGroupCallsAreExactAfterOneSynchronize) {
  if (NoGroup()) GTEST_SKIP() << unavailable_.message();
  for (const CollectiveKind kind :
       {CollectiveKind::kAllReduce, CollectiveKind::kAllToAll, CollectiveKind::kSendRecv}) {
    std::vector<std::vector<std::unique_ptr<CollectiveCase>>> points;
    for (const std::size_t block : {std::size_t{1}, std::size_t{1000}, std::size_t{1} << 16}) {
      auto cases = Cases(kind, block, /*in_place=*/true, DataType::kFloat32);
      ASSERT_TRUE(cases.has_value()) << cases.error().ToString();
      points.push_back(std::move(*cases));
    }
    // In place, a second call reads the first one's result: only one call per point is checked.
    for (int iteration = 0; iteration < 50; ++iteration) {
      for (auto& cases : points) {
        const Status ran = RunOnce(cases);
        ASSERT_TRUE(ran.ok()) << CollectiveName(kind) << ": " << ran.ToString();
      }
    }
    ASSERT_TRUE(group_->Synchronize().ok());
    for (auto& cases : points) {
      for (auto& one : cases) {
        one->Fill();
        ASSERT_TRUE(one->Upload().ok());
      }
      ASSERT_TRUE(RunOnce(cases).ok());
    }
    const Status waited = group_->Synchronize();
    ASSERT_TRUE(waited.ok()) << waited.ToString();
    for (auto& cases : points) {
      for (auto& one : cases) {
        ASSERT_TRUE(one->Download().ok());
        EXPECT_EQ(one->CountWrong(), 0) << CollectiveName(kind);
      }
    }
  }
}

TEST_F(CudaNcclLocalGroupTest, NoRankWaitsOnItsOwnAndNothingWaitsInsideAGroup) {
  if (NoGroup()) GTEST_SKIP() << unavailable_.message();
  auto buffer = DeviceBuffer::Allocate(group_->memory(0), sizeof(float));
  ASSERT_TRUE(buffer.has_value());
  Communicator& rank0 = group_->communicator(0);
  EXPECT_EQ(
      rank0.AllReduce(buffer->data(), buffer->data(), 1, DataType::kFloat32, ReduceOp::kSum).code(),
      StatusCode::kFailedPrecondition)
      << "a call outside a group";
  EXPECT_EQ(rank0.Barrier().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(rank0.Synchronize().code(), StatusCode::kFailedPrecondition);
  rank0.SetAsynchronous(false);
  EXPECT_TRUE(rank0.asynchronous()) << "a grouped rank is always asynchronous";
  ASSERT_TRUE(group_->GroupStart().ok());
  EXPECT_EQ(group_->GroupStart().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(group_->Synchronize().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(group_->GroupEnd().ok());
  EXPECT_EQ(group_->GroupEnd().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(group_->Synchronize().ok()) << "none of the refusals aborted anything";
}

TEST_F(CudaNcclLocalGroupTest, AFailedCallInsideAGroupAbortsEveryRankAtGroupEnd) {
  if (NoGroup()) GTEST_SKIP() << unavailable_.message();
  auto buffer = DeviceBuffer::Allocate(group_->memory(0), sizeof(float));
  ASSERT_TRUE(buffer.has_value());
  ASSERT_TRUE(group_->GroupStart().ok());
  const int outside = group_->size();
  EXPECT_EQ(group_->communicator(0)
                .Broadcast(buffer->data(), buffer->data(), 1, DataType::kFloat32, outside)
                .code(),
            StatusCode::kInvalidArgument);
  const Status ended = group_->GroupEnd();
  EXPECT_FALSE(ended.ok());
  EXPECT_NE(ended.message().find("broadcast root"), std::string::npos) << ended.ToString();
  EXPECT_EQ(group_->GroupStart().code(), StatusCode::kFailedPrecondition)
      << "every rank was aborted";
}

TEST_F(CudaNcclLocalGroupTest, ADeviceListedTwiceIsRefused) {
  if (NoGroup()) GTEST_SKIP() << unavailable_.message();
  const auto twice = backend_->MakeNcclLocalGroup({0, 0}, 10.0);
  ASSERT_FALSE(twice.has_value());
  EXPECT_EQ(twice.error().code(), StatusCode::kInvalidArgument) << twice.error().ToString();
  EXPECT_NE(twice.error().message().find("listed twice"), std::string::npos);
}

}  // namespace
}  // namespace lepton::bench
