#include "tools/certify/device_collectives.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "bench/comm/self_communicator.h"
#include "bench/workloads/collectives/fake_group_for_tests.h"

namespace lepton::certify {
namespace {

// Host memory posing as a device, and the self communicator posing as NCCL.
class FakeMemory final : public bench::DeviceMemory {
 public:
  [[nodiscard]] std::string description() const override { return "fake:0"; }
  [[nodiscard]] int device_index() const override { return 0; }
  Result<void*> Allocate(std::size_t bytes) override { return ::operator new(bytes); }
  void Free(void* device) override { ::operator delete(device); }
  Status CopyToDevice(void* /*device*/, const void* /*host*/, std::size_t /*bytes*/) override {
    return OkStatus();
  }
  Status CopyToHost(void* /*host*/, const void* /*device*/, std::size_t /*bytes*/) override {
    return OkStatus();
  }
};

class FakeBackend final : public bench::CudaBackend {
 public:
  Status memory_error;
  Status nccl_error;
  int device_asked = -1;
  double timeout_asked = 0;

  Result<std::unique_ptr<bench::MlpModel>> MakeMlp(
      const bench::MlpModelOptions& /*options*/) override {
    return std::unexpected(UnavailableError("not in this test"));
  }
  Result<std::unique_ptr<bench::DeviceRegression>> MakeRegression() override {
    return std::unexpected(UnavailableError("not in this test"));
  }
  Result<std::unique_ptr<bench::DeviceMemory>> MakeDeviceMemory(int device) override {
    device_asked = device;
    if (!memory_error.ok()) return std::unexpected(memory_error);
    return std::make_unique<FakeMemory>();
  }
  Result<std::unique_ptr<bench::Communicator>> MakeNcclCommunicator(
      bench::Communicator& /*bootstrap*/, int /*device*/, double timeout_seconds) override {
    timeout_asked = timeout_seconds;
    if (!nccl_error.ok()) return std::unexpected(nccl_error);
    return bench::MakeSelfCommunicator();
  }
  Result<std::unique_ptr<bench::CommunicatorGroup>> MakeNcclLocalGroup(
      std::vector<int> devices, double timeout_seconds) override {
    timeout_asked = timeout_seconds;
    group_devices_asked = devices;
    return std::unexpected(group_error);
  }
  std::vector<std::string> HungDevices() override { return {}; }
  Status group_error = UnavailableError("no CUDA device to run on: cudaGetDeviceCount: fake");
  std::vector<int> group_devices_asked = {-1};
};

TEST(DeviceCollectivesTest, WithoutTheModuleTheLoadersReasonIsKept) {
  auto world = bench::MakeSelfCommunicator();
  const Result<bench::CudaBackend*> missing =
      std::unexpected(UnavailableError("the CUDA backend module could not be loaded: no file"));
  const DeviceCollectives opened = OpenDeviceCollectives(missing, *world, 0, 60);
  EXPECT_EQ(opened.status.code(), StatusCode::kUnavailable);
  EXPECT_EQ(opened.status.message(), "the CUDA backend module could not be loaded: no file");
  EXPECT_EQ(opened.communicator, nullptr);
  EXPECT_EQ(opened.memory, nullptr);
}

// This build's real module, as `lepton-cert run --profile multi-gpu` would reach it: on a
// machine without a GPU it refuses with the CUDA runtime's or the loader's reason.
TEST(DeviceCollectivesTest, TheRealBackendRefusesCleanlyWithoutAGpu) {
  auto world = bench::MakeSelfCommunicator();
  const DeviceCollectives opened = OpenDeviceCollectives(bench::LoadCudaBackend(), *world, 0, 60);
  if (opened.status.ok()) {
    GTEST_SKIP() << "a GPU and NCCL are present: " << opened.memory->description();
  }
  EXPECT_EQ(opened.status.code(), StatusCode::kUnavailable) << opened.status.ToString();
  EXPECT_NE(opened.status.message().find("CUDA"), std::string::npos) << opened.status.ToString();
  EXPECT_EQ(opened.communicator, nullptr);
  EXPECT_EQ(opened.memory, nullptr);
}

TEST(DeviceCollectivesTest, TheLocalRankPicksTheDeviceAndTheTimeoutReachesNccl) {
  auto world = bench::MakeSelfCommunicator();
  FakeBackend backend;
  const DeviceCollectives opened = OpenDeviceCollectives(&backend, *world, 3, 42.5);
  ASSERT_TRUE(opened.status.ok()) << opened.status.ToString();
  EXPECT_EQ(backend.device_asked, 3);
  EXPECT_EQ(backend.timeout_asked, 42.5);
  ASSERT_NE(opened.communicator, nullptr);
  ASSERT_NE(opened.memory, nullptr);
  EXPECT_EQ(opened.memory->description(), "fake:0");
}

TEST(DeviceCollectivesTest, ADeviceThatIsNotThereIsNotMeasured) {
  auto world = bench::MakeSelfCommunicator();
  FakeBackend backend;
  backend.memory_error = UnavailableError("CUDA device 3 does not exist");
  const DeviceCollectives opened = OpenDeviceCollectives(&backend, *world, 3, 60);
  EXPECT_EQ(opened.status, backend.memory_error);
  EXPECT_EQ(backend.timeout_asked, 0) << "NCCL was not asked for";
  EXPECT_EQ(opened.memory, nullptr);
}

TEST(DeviceCollectivesTest, NoDeviceForThisRankIsNotMeasuredWithTheReason) {
  auto world = bench::MakeSelfCommunicator();
  FakeBackend backend;
  const Result<int> none = std::unexpected(
      FailedPreconditionError("ranks 0 and 1 would both use GPU 0000:3b:00.0 on box"));
  const DeviceCollectives opened = OpenDeviceCollectives(&backend, *world, none, 60);
  EXPECT_EQ(opened.status, none.error());
  EXPECT_EQ(backend.device_asked, -1) << "no device memory was asked for";
  EXPECT_EQ(backend.timeout_asked, 0) << "NCCL was not asked for";
  EXPECT_EQ(opened.memory, nullptr);
}

TEST(DeviceCollectivesTest, NcclsErrorIsKeptAndNothingIsHalfOpen) {
  auto world = bench::MakeSelfCommunicator();
  FakeBackend backend;
  backend.nccl_error = InternalError("ncclCommInitRank: unhandled system error");
  const DeviceCollectives opened = OpenDeviceCollectives(&backend, *world, 0, 60);
  EXPECT_EQ(opened.status, backend.nccl_error);
  EXPECT_EQ(opened.communicator, nullptr);
  EXPECT_EQ(opened.memory, nullptr);
}

TEST(DeviceCollectivesTest, TheLocalGroupSpansEveryDeviceAndKeepsTheModulesReason) {
  FakeBackend backend;
  const DeviceCollectives opened = OpenLocalGroup(&backend, 17.0);
  EXPECT_TRUE(backend.group_devices_asked.empty()) << "every device the process sees";
  EXPECT_EQ(backend.timeout_asked, 17.0);
  EXPECT_EQ(opened.status.code(), StatusCode::kUnavailable);
  EXPECT_EQ(opened.status.message(), "no CUDA device to run on: cudaGetDeviceCount: fake");
  EXPECT_EQ(opened.group, nullptr);
  const Result<bench::CudaBackend*> missing =
      std::unexpected(UnavailableError("the CUDA backend module could not be loaded: no file"));
  EXPECT_EQ(OpenLocalGroup(missing, 60).status.message(),
            "the CUDA backend module could not be loaded: no file");
}

// This build's real module, as `lepton-cert run --profile multi-gpu-local` would reach it: on a
// machine without a GPU it refuses at once with the CUDA runtime's or the loader's reason.
TEST(DeviceCollectivesTest, TheRealLocalGroupRefusesCleanlyWithoutAGpu) {
  const DeviceCollectives opened = OpenLocalGroup(bench::LoadCudaBackend(), 60);
  if (opened.status.ok()) {
    GTEST_SKIP() << "GPUs and NCCL are present: " << opened.group->size() << " rank(s)";
  }
  EXPECT_EQ(opened.status.code(), StatusCode::kUnavailable) << opened.status.ToString();
  EXPECT_NE(opened.status.message().find("CUDA"), std::string::npos) << opened.status.ToString();
  EXPECT_EQ(opened.group, nullptr);
}

TEST(DeviceCollectivesTest, TheRanksFactOfALocalGroupIsItsGpus) {
  spec::Profile local;
  local.name = "multi-gpu-local";
  local.devices = "cuda";
  local.comm = "nccl-local";
  EXPECT_EQ(CollectiveRanksFact(local, 1, 8), 8);
  EXPECT_EQ(CollectiveRanksFact(local, 1, 0), 0);
  const auto launched = CollectiveRanksFact(local, 2, 8);
  ASSERT_FALSE(launched.has_value());
  EXPECT_EQ(launched.error().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(launched.error().message().find("profile 'multi-gpu-local' (comm: nccl-local)"),
            std::string::npos)
      << launched.error().message();
  EXPECT_NE(launched.error().message().find("launched as 2 processes"), std::string::npos);
  spec::Profile per_process;
  per_process.comm = "nccl";
  EXPECT_EQ(CollectiveRanksFact(per_process, 4, 8), 4);
  spec::Profile cpu;
  EXPECT_EQ(CollectiveRanksFact(cpu, 3, 0), 3);
}

// The run's first line names the run's communicator, then the GPUs' when there are any.
TEST(DeviceCollectivesTest, TheCommunicatorsAreDescribedRunsFirst) {
  const auto world = bench::MakeSelfCommunicator();
  EXPECT_EQ(CommunicatorsDescription(*world, DeviceCollectives{}), "self");
  FakeBackend backend;
  const DeviceCollectives per_process = OpenDeviceCollectives(&backend, *world, 0, 60);
  ASSERT_TRUE(per_process.status.ok()) << per_process.status.ToString();
  EXPECT_EQ(CommunicatorsDescription(*world, per_process), "self, self over fake:0");
  DeviceCollectives local;
  local.group = std::make_unique<bench::FakeGroup>(3);
  EXPECT_EQ(CommunicatorsDescription(*world, local), "self, fake-group over 3 GPU(s)");
}

TEST(DeviceCollectivesTest, TheProfileSaysWhereTheCollectivesRun) {
  spec::Profile profile;
  profile.devices = "cuda";
  profile.comm = "nccl";
  EXPECT_EQ(DeviceCommOf(profile), DeviceComm::kNccl);
  profile.comm = "nccl-local";
  EXPECT_EQ(DeviceCommOf(profile), DeviceComm::kNcclLocal);
  profile.comm = "mpi";
  EXPECT_EQ(DeviceCommOf(profile), DeviceComm::kNone);
  profile.devices = "cpu";
  profile.comm = "nccl";
  EXPECT_EQ(DeviceCommOf(profile), DeviceComm::kNone);
}

}  // namespace
}  // namespace lepton::certify
