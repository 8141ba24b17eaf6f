#include "bench/comm/nccl/nccl_communicator.h"

#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <numeric>
#include <vector>

#include "bench/comm/self_communicator.h"

namespace lepton::bench {
namespace {

// One rank on GPU 0 (NCCL allows one rank per GPU), bootstrapped by the self communicator.
class NcclCommunicatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto devices = VisibleCudaDevices();
    if (!devices) GTEST_SKIP() << devices.error().message();
    if (*devices == 0) GTEST_SKIP() << "no CUDA device visible";
    auto made = MakeNcclCommunicator(*self_, 0, 60.0);
    ASSERT_TRUE(made.has_value()) << made.error().ToString();
    nccl_ = std::move(*made);
  }

  std::unique_ptr<Communicator> self_ = MakeSelfCommunicator();
  std::unique_ptr<Communicator> nccl_;
};

TEST_F(NcclCommunicatorTest, OneRankAllReduceCopiesExactly) {
  EXPECT_EQ(nccl_->name(), "nccl");
  EXPECT_EQ(nccl_->size(), 1);
  std::vector<float> host(1000);
  std::iota(host.begin(), host.end(), 1.0F);
  float* device = nullptr;
  ASSERT_EQ(cudaMalloc(&device, host.size() * sizeof(float)), cudaSuccess);
  ASSERT_EQ(cudaMemcpy(device, host.data(), host.size() * sizeof(float), cudaMemcpyHostToDevice),
            cudaSuccess);
  ASSERT_TRUE(
      nccl_->AllReduce(device, device, host.size(), DataType::kFloat32, ReduceOp::kSum).ok());
  ASSERT_TRUE(nccl_->Barrier().ok());
  std::vector<float> back(host.size());
  ASSERT_EQ(cudaMemcpy(back.data(), device, back.size() * sizeof(float), cudaMemcpyDeviceToHost),
            cudaSuccess);
  EXPECT_EQ(back, host);
  cudaFree(device);
}

TEST_F(NcclCommunicatorTest, PeersOutsideTheWorldAreRejected) {
  float* device = nullptr;
  ASSERT_EQ(cudaMalloc(&device, sizeof(float)), cudaSuccess);
  EXPECT_EQ(nccl_->Broadcast(device, device, 1, DataType::kFloat32, 1).code(),
            StatusCode::kInvalidArgument);
  cudaFree(device);
}

}  // namespace
}  // namespace lepton::bench
