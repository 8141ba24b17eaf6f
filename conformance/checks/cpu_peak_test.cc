#include "conformance/checks/cpu_peak.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace lepton::checks {
namespace {

TEST(CpuPeakTest, IsaFromFlags) {
  EXPECT_EQ(IsaFromCpuFlags("fpu sse sse2 avx avx2 fma avx512f avx512bw"), VectorIsa::kAvx512);
  EXPECT_EQ(IsaFromCpuFlags("sse2 avx avx2 fma"), VectorIsa::kAvx2);
  EXPECT_EQ(IsaFromCpuFlags("sse2 avx avx2"), VectorIsa::kAvx);     // AVX2 without FMA
  EXPECT_EQ(IsaFromCpuFlags("sse2 avx512_vnni"), VectorIsa::kSse);  // not the avx512f flag
}

TEST(CpuPeakTest, AdviceNamesTheCoreTypeToSet) {
  EXPECT_EQ(OpenBlasAdvice("Prescott", VectorIsa::kAvx512),
            "OpenBLAS runs its 'Prescott' kernels (sse) on a CPU with avx512: set "
            "OPENBLAS_CORETYPE=SkylakeX in the environment of the run");
  EXPECT_EQ(OpenBlasAdvice("Cooperlake", VectorIsa::kAvx512), "");
  EXPECT_EQ(OpenBlasAdvice("Haswell", VectorIsa::kAvx2), "");
  EXPECT_EQ(OpenBlasAdvice("Sandybridge", VectorIsa::kAvx2).find("Haswell") != std::string::npos,
            true);
}

TEST(CpuPeakTest, PeakFromAFakeProcTree) {
  const auto root =
      std::filesystem::temp_directory_path() / ("lepton_cpu_" + std::to_string(::getpid())) / "";
  std::filesystem::create_directories(root / "proc");
  std::ofstream(root / "proc/cpuinfo") << "processor\t: 0\ncpu MHz\t\t: 2500.000\n"
                                          "flags\t\t: sse2 avx avx2 fma avx512f\n";
  auto peak = EstimateCpuPeak(4, root.string());
  ASSERT_TRUE(peak.has_value()) << peak.error().ToString();
  EXPECT_DOUBLE_EQ(peak->gflops, 4 * 2.5 * 64);
  std::filesystem::create_directories(root / "sys/devices/system/cpu/cpu0/cpufreq");
  std::ofstream(root / "sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq") << "3000000\n";
  peak = EstimateCpuPeak(4, root.string());
  ASSERT_TRUE(peak.has_value());
  EXPECT_DOUBLE_EQ(peak->gflops, 4 * 3.0 * 64);
  std::ofstream(root / "proc/cpuinfo") << "flags\t\t: sse2\n";
  std::filesystem::remove_all(root / "sys");
  EXPECT_EQ(EstimateCpuPeak(4, root.string()).error().code(), StatusCode::kUnavailable);
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace lepton::checks
