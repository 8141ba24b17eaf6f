#include "bench/comm/self_communicator.h"

#include <gtest/gtest.h>

#include <vector>

namespace lepton::bench {
namespace {

TEST(SelfCommunicatorTest, IsOneRankNamedSelf) {
  auto self = MakeSelfCommunicator();
  EXPECT_EQ(self->name(), "self");
  EXPECT_EQ(self->rank(), 0);
  EXPECT_EQ(self->size(), 1);
  EXPECT_TRUE(self->Barrier().ok());
}

TEST(SelfCommunicatorTest, ReductionsOfOneRankCopyTheInput) {
  auto self = MakeSelfCommunicator();
  const std::vector<double> send = {1.5, -2.0, 3.25};
  std::vector<double> recv(3, 0.0);
  ASSERT_TRUE(
      self->AllReduce(send.data(), recv.data(), 3, DataType::kFloat64, ReduceOp::kSum).ok());
  EXPECT_EQ(recv, send);
  std::vector<double> in_place = send;
  ASSERT_TRUE(
      self->AllReduce(in_place.data(), in_place.data(), 3, DataType::kFloat64, ReduceOp::kMax)
          .ok());
  EXPECT_EQ(in_place, send);
}

TEST(SelfCommunicatorTest, PeersOtherThanRankZeroAreRejected) {
  auto self = MakeSelfCommunicator();
  float value = 1.0F;
  float out = 0.0F;
  const Status status = self->SendRecv(&value, 1, &out, 0, 1, DataType::kFloat32);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(self->Broadcast(&value, &out, 1, DataType::kFloat32, 2).code(),
            StatusCode::kInvalidArgument);
}

TEST(SelfCommunicatorTest, StaysBlockingInAsynchronousMode) {
  auto self = MakeSelfCommunicator();
  self->SetAsynchronous(true);
  EXPECT_FALSE(self->asynchronous());  // nothing to enqueue on: every call completes at once
  const std::vector<float> send = {4.0F, 5.0F};
  std::vector<float> recv(2, 0.0F);
  ASSERT_TRUE(
      self->AllReduce(send.data(), recv.data(), 2, DataType::kFloat32, ReduceOp::kSum).ok());
  EXPECT_EQ(recv, send);
  EXPECT_TRUE(self->Synchronize().ok());
}

}  // namespace
}  // namespace lepton::bench
