#include "conformance/checks/cuda_libraries_probe.h"

#include <dlfcn.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lepton::checks {
namespace {

using ::testing::HasSubstr;

CudaLibraryNames Fake() {
  const std::string fake = LEPTON_FAKE_CUDA_LIBRARIES;
  return CudaLibraryNames{{"libcudart-missing.so.13", fake}, {fake}, {fake}};
}

void SetFailing(int fail) {
  void* handle = ::dlopen(LEPTON_FAKE_CUDA_LIBRARIES, RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(handle, nullptr) << ::dlerror();
  using FailFn = void (*)(int);
  reinterpret_cast<FailFn>(::dlsym(handle, "fake_cuda_libraries_fail"))(fail);
  // Left open on purpose: the probe's dlopen then gets this same instance.
}

TEST(CudaLibrariesProbe, ReadsEachLibrarysVersionTryingNamesInOrder) {
  SetFailing(0);
  const CudaLibraries libraries = ProbeCudaLibraries(Fake());
  EXPECT_EQ(libraries.runtime.version, "13.0");
  EXPECT_EQ(libraries.runtime.path, LEPTON_FAKE_CUDA_LIBRARIES);  // the second name
  EXPECT_EQ(libraries.cublas.version, "13.0.2");
  EXPECT_EQ(libraries.nccl.version, "2.28.3");
}

TEST(CudaLibrariesProbe, FailingCallsAndMissingLibrariesSayWhy) {
  SetFailing(1);
  const CudaLibraries failing = ProbeCudaLibraries(Fake());
  EXPECT_EQ(failing.runtime.version, "");
  EXPECT_EQ(failing.runtime.unavailable_reason, "cudaRuntimeGetVersion failed with cudaError 35");
  EXPECT_EQ(failing.cublas.unavailable_reason, "cublasGetProperty failed with status 7");
  EXPECT_EQ(failing.nccl.unavailable_reason, "ncclGetVersion failed with ncclResult 1");
  SetFailing(0);
  const CudaLibraries missing =
      ProbeCudaLibraries(CudaLibraryNames{{"libnope-a.so"}, {"libnope-b.so"}, {"libnope-c.so"}});
  EXPECT_THAT(missing.runtime.unavailable_reason, HasSubstr("CUDA runtime not loadable"));
  EXPECT_THAT(missing.cublas.unavailable_reason, HasSubstr("cuBLAS not loadable"));
  EXPECT_THAT(missing.nccl.unavailable_reason, HasSubstr("NCCL not loadable: libnope-c.so"));
}

}  // namespace
}  // namespace lepton::checks
