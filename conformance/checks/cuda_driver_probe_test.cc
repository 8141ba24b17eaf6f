#include "conformance/checks/cuda_driver_probe.h"

#include <dlfcn.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lepton::checks {
namespace {

using ::testing::HasSubstr;

// The stand-in driver, loaded here first so the test can steer the instance the probe gets.
class FakeDriver {
 public:
  FakeDriver() : handle_(::dlopen(LEPTON_FAKE_CUDA_DRIVER, RTLD_NOW | RTLD_LOCAL)) {}
  ~FakeDriver() {
    if (handle_ != nullptr) ::dlclose(handle_);
  }
  FakeDriver(const FakeDriver&) = delete;
  FakeDriver& operator=(const FakeDriver&) = delete;
  void Configure(int init_result, int devices, int failing_attribute) {
    using ConfigureFn = void (*)(int, int, int);
    reinterpret_cast<ConfigureFn>(::dlsym(handle_, "fake_cuda_configure"))(init_result, devices,
                                                                           failing_attribute);
  }
  [[nodiscard]] bool loaded() const { return handle_ != nullptr; }

 private:
  void* handle_;
};

TEST(CudaDriverProbe, DescribesEveryDeviceThroughTheDriverApi) {
  FakeDriver driver;
  ASSERT_TRUE(driver.loaded()) << ::dlerror();
  driver.Configure(0, 2, -1);
  const GpuProbe probe = ProbeCudaDriver(LEPTON_FAKE_CUDA_DRIVER);
  EXPECT_EQ(probe.unavailable_reason, "");
  EXPECT_EQ(probe.count, 2);
  EXPECT_EQ(probe.driver_version, "13.0");
  ASSERT_EQ(probe.devices.size(), 2U);
  const GpuDevice& first = probe.devices[0];
  EXPECT_EQ(first.name, "Fake H100 80GB HBM3");
  EXPECT_EQ(first.pci_bus_id, "0000:1B:00.0");
  EXPECT_EQ(first.compute_capability, "9.0");
  EXPECT_DOUBLE_EQ(first.memory_gib, 80);
  EXPECT_EQ(first.multiprocessors, 132);
  EXPECT_EQ(first.clock_mhz, 1980);
  EXPECT_EQ(first.memory_clock_mhz, 2619);
  EXPECT_EQ(first.memory_bus_bits, 5120);
  EXPECT_EQ(first.ecc_enabled, true);
  EXPECT_TRUE(first.unknown.empty());
  EXPECT_EQ(probe.devices[1].ordinal, 1);
}

TEST(CudaDriverProbe, AnAttributeTheDriverRefusesIsUnknownWithItsReason) {
  FakeDriver driver;
  driver.Configure(0, 1, 75);
  const GpuProbe probe = ProbeCudaDriver(LEPTON_FAKE_CUDA_DRIVER);
  ASSERT_EQ(probe.devices.size(), 1U);
  EXPECT_EQ(probe.devices[0].compute_capability, "");
  EXPECT_THAT(probe.devices[0].unknown.at("compute_capability"),
              HasSubstr("cuDeviceGetAttribute(75) failed with CUresult 1"));
  EXPECT_EQ(probe.devices[0].multiprocessors, 132);  // the others still read
}

TEST(CudaDriverProbe, FailedInitAndMissingLibraryGiveZeroDevicesWithTheReason) {
  FakeDriver driver;
  driver.Configure(100, 2, -1);
  const GpuProbe failed = ProbeCudaDriver(LEPTON_FAKE_CUDA_DRIVER);
  EXPECT_EQ(failed.count, 0);
  EXPECT_TRUE(failed.devices.empty());
  EXPECT_EQ(failed.unavailable_reason, "cuInit failed with CUresult 100");
  const GpuProbe missing = ProbeCudaDriver("libcuda-that-does-not-exist.so.1");
  EXPECT_EQ(missing.count, 0);
  EXPECT_THAT(missing.unavailable_reason, HasSubstr("CUDA driver library not loadable"));
}

}  // namespace
}  // namespace lepton::checks
