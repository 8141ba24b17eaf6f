// The collectives workload on devices: cuda, with host memory posing as a device: the measured
// calls must get device buffers only, the figures must be combined over the host communicator
// with host buffers only, every result is checked after it came back, and every allocation is
// freed. The NCCL communicator itself needs a GPU (bench/backends/cuda_nccl_test.cc).

#include <gtest/gtest.h>

#include <cstring>
#include <map>

#include "bench/api/host_allocations_for_tests.h"
#include "bench/api/run_workload_for_tests.h"
#include "bench/comm/idle_communicator_for_tests.h"
#include "bench/comm/self_communicator.h"
#include "bench/workloads/collectives/collective_cases_for_tests.h"
#include "bench/workloads/collectives/collective_ops.h"
#include "bench/workloads/collectives/collectives_workload.h"

namespace lepton::bench {
namespace {

class FakeDeviceMemory final : public DeviceMemory {
 public:
  [[nodiscard]] std::string description() const override { return "fake:0"; }
  [[nodiscard]] int device_index() const override { return 0; }
  Result<void*> Allocate(std::size_t bytes) override {
    if (bytes > limit) return std::unexpected(ResourceExhaustedError("fake device is full"));
    return allocations_.Allocate(bytes);
  }
  void Free(void* device) override { allocations_.Free(device); }
  Status CopyToDevice(void* device, const void* host, std::size_t bytes) override {
    if (!Holds(device, bytes) || Holds(host, 1)) return InternalError("upload: bad pointers");
    std::memcpy(device, host, bytes);
    ++uploads;
    return OkStatus();
  }
  Status CopyToHost(void* host, const void* device, std::size_t bytes) override {
    if (!Holds(device, bytes) || Holds(host, 1)) return InternalError("download: bad pointers");
    std::memcpy(host, device, bytes);
    ++downloads;
    return OkStatus();
  }
  [[nodiscard]] bool Holds(const void* pointer, std::size_t bytes) const {
    return allocations_.Holds(pointer, bytes);
  }
  [[nodiscard]] std::size_t live() const { return allocations_.live(); }

  std::size_t limit = SIZE_MAX;
  int uploads = 0;
  int downloads = 0;

 private:
  HostAllocations allocations_;
};

// The self communicator behind a check of where every buffer lives: `device` true for the
// stand-in NCCL (device buffers only), false for the run's host communicator (host only).
class CheckingCommunicator final : public Communicator {
 public:
  CheckingCommunicator(const FakeDeviceMemory& memory, bool device)
      : memory_(memory), device_(device), inner_(MakeSelfCommunicator()) {}
  [[nodiscard]] std::string_view name() const override { return device_ ? "fake-nccl" : "self"; }
  [[nodiscard]] int rank() const override { return 0; }
  [[nodiscard]] int size() const override { return 1; }
  Status AllReduce(const void* s, void* r, std::size_t n, DataType t, ReduceOp op) override {
    LEPTON_RETURN_IF_ERROR(Check(s, r, n, n, t));
    return inner_->AllReduce(s, r, n, t, op);
  }
  Status AllGather(const void* s, void* r, std::size_t n, DataType t) override {
    LEPTON_RETURN_IF_ERROR(Check(s, r, n, n, t));
    return inner_->AllGather(s, r, n, t);
  }
  Status ReduceScatter(const void* s, void* r, std::size_t n, DataType t, ReduceOp op) override {
    LEPTON_RETURN_IF_ERROR(Check(s, r, n, n, t));
    return inner_->ReduceScatter(s, r, n, t, op);
  }
  Status Broadcast(const void* s, void* r, std::size_t n, DataType t, int root) override {
    LEPTON_RETURN_IF_ERROR(Check(s, r, n, n, t));
    return inner_->Broadcast(s, r, n, t, root);
  }
  Status Reduce(const void* s, void* r, std::size_t n, DataType t, ReduceOp op, int root) override {
    LEPTON_RETURN_IF_ERROR(Check(s, r, n, n, t));
    return inner_->Reduce(s, r, n, t, op, root);
  }
  Status AllToAll(const void* s, void* r, std::size_t n, DataType t) override {
    LEPTON_RETURN_IF_ERROR(Check(s, r, n, n, t));
    return inner_->AllToAll(s, r, n, t);
  }
  Status SendRecv(const void* s, int to, void* r, int from, std::size_t n, DataType t) override {
    LEPTON_RETURN_IF_ERROR(Check(s, r, n, n, t));
    return inner_->SendRecv(s, to, r, from, n, t);
  }
  Status Barrier() override { return inner_->Barrier(); }

  int calls = 0;

 private:
  Status Check(const void* send, const void* recv, std::size_t sent, std::size_t received,
               DataType type) {
    ++calls;
    const bool send_on_device = memory_.Holds(send, sent * DataTypeSize(type));
    const bool recv_on_device = memory_.Holds(recv, received * DataTypeSize(type));
    if (send_on_device != device_ || recv_on_device != device_) {
      return InternalError(std::string(name()) + " got a " +
                           (device_ ? "host buffer" : "device buffer"));
    }
    return OkStatus();
  }

  const FakeDeviceMemory& memory_;
  bool device_;
  std::unique_ptr<Communicator> inner_;
};

WorkloadContext DeviceSweep(Communicator* host, Communicator* device, DeviceMemory* memory) {
  WorkloadContext context;
  context.params = EveryCollectiveSweepParams(4096, {"float32"});
  context.device = "cuda";
  context.communicator = host;
  context.device_communicator = device;
  context.device_memory = memory;
  return context;
}

TEST(DeviceCollectivesWorkloadTest, EveryOperationRunsOnDeviceBuffersAndIsExact) {
  FakeDeviceMemory memory;
  CheckingCommunicator host(memory, /*device=*/false);
  CheckingCommunicator device(memory, /*device=*/true);
  auto workload = MakeCollectivesWorkload();
  const Status prepared = workload->Prepare(DeviceSweep(&host, &device, &memory));
  ASSERT_TRUE(prepared.ok()) << prepared.ToString();
  const auto metrics = RunWithStepTimes(*workload, 1e-3);
  ASSERT_TRUE(metrics.has_value()) << metrics.error().ToString();
  EXPECT_EQ(std::get<std::string>(metrics->values.at("communicator")), "fake-nccl");
  EXPECT_EQ(std::get<std::string>(metrics->values.at("buffers")), "fake:0");
  EXPECT_EQ(std::get<double>(metrics->values.at("wrong_elements")), 0.0);
  // 7 operations x 2 placements x 11 sizes (4 B .. 4 KiB): warm-up 1 + timed 2 + check 1.
  EXPECT_EQ(device.calls, 7 * 2 * 11 * 4);
  EXPECT_EQ(host.calls, 2) << "the figures are combined on the host: seconds, wrong elements";
  EXPECT_EQ(memory.downloads, 7 * 2 * 11) << "every checked result came back from the device";
  EXPECT_EQ(memory.live(), 0U) << "every device buffer was freed";
}

TEST(DeviceCollectivesWorkloadTest, Bfloat16RunsOnDeviceBuffersAndIsExact) {
  FakeDeviceMemory memory;
  CheckingCommunicator host(memory, /*device=*/false);
  CheckingCommunicator device(memory, /*device=*/true);
  WorkloadContext context = DeviceSweep(&host, &device, &memory);
  context.params["dtypes"] = std::vector<std::string>{"float32", "bf16"};
  auto workload = MakeCollectivesWorkload();
  const Status prepared = workload->Prepare(context);
  ASSERT_TRUE(prepared.ok()) << prepared.ToString();
  const auto metrics = RunWithStepTimes(*workload, 1e-3);
  ASSERT_TRUE(metrics.has_value()) << metrics.error().ToString();
  EXPECT_EQ(std::get<double>(metrics->values.at("wrong_elements")), 0.0);
  // Both types: 2 x 7 operations x 2 placements x 11 sizes, 4 calls each.
  EXPECT_EQ(device.calls, 2 * 7 * 2 * 11 * 4);
  EXPECT_EQ(memory.downloads, 2 * 7 * 2 * 11);
  EXPECT_EQ(metrics->series.at("alltoall_in_place_bf16_bytes").size(), 11U);
  EXPECT_EQ(memory.live(), 0U);
}

TEST(DeviceCollectivesWorkloadTest, TheCheckSeesWhatTheDeviceComputed) {
  // A device communicator that runs nothing leaves the sentinels: every element is wrong.
  FakeDeviceMemory memory;
  CheckingCommunicator host(memory, /*device=*/false);
  IdleCommunicator idle("idle", 0, 1);
  WorkloadContext context = DeviceSweep(&host, &idle, &memory);
  context.params["ops"] = std::vector<std::string>{"allreduce"};
  context.params["placements"] = std::vector<std::string>{"out_of_place"};
  context.params["max_bytes"] = std::int64_t{4};
  auto workload = MakeCollectivesWorkload();
  ASSERT_TRUE(workload->Prepare(context).ok());
  const auto metrics = RunWithStepTimes(*workload, 1e-3);
  ASSERT_TRUE(metrics.has_value()) << metrics.error().ToString();
  EXPECT_EQ(std::get<double>(metrics->values.at("wrong_elements")), 1.0);
}

TEST(DeviceCollectivesWorkloadTest, WithoutNcclTheReasonIsReported) {
  auto self = MakeSelfCommunicator();
  WorkloadContext context = DeviceSweep(self.get(), nullptr, nullptr);
  context.device_status = UnavailableError("cudaGetDeviceCount: no CUDA-capable device");
  auto workload = MakeCollectivesWorkload();
  EXPECT_EQ(workload->Prepare(context), context.device_status);

  context.device_status = OkStatus();  // a profile without comm: nccl
  const Status prepared = workload->Prepare(context);
  EXPECT_EQ(prepared.code(), StatusCode::kUnavailable);
  EXPECT_NE(prepared.message().find("comm: nccl"), std::string::npos) << prepared.ToString();
}

TEST(DeviceCollectivesWorkloadTest, DeviceOutOfMemoryIsAnErrorOfTheStep) {
  FakeDeviceMemory memory;
  memory.limit = 1024;
  CheckingCommunicator host(memory, /*device=*/false);
  CheckingCommunicator device(memory, /*device=*/true);
  auto workload = MakeCollectivesWorkload();
  ASSERT_TRUE(workload->Prepare(DeviceSweep(&host, &device, &memory)).ok());
  const auto metrics = RunWithStepTimes(*workload, 1e-3);
  ASSERT_FALSE(metrics.has_value());
  EXPECT_EQ(metrics.error().code(), StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace lepton::bench
