#include "bench/comm/world_communicator.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdlib>  // setenv, unsetenv (POSIX, declared by glibc here)

namespace lepton::bench {
namespace {

constexpr std::array<const char*, 5> kLauncherVariables = {
    "OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "SLURM_STEP_NUM_TASKS", "PMIX_RANK", "MPI_LOCALNRANKS"};

// Each test starts from an environment without launcher variables (CTest may itself run under
// none; a developer's shell inside an allocation might set some).
class DetectLaunchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* variable : kLauncherVariables) unsetenv(variable);
  }
  void TearDown() override { SetUp(); }
};

TEST_F(DetectLaunchTest, AloneMeansNoLauncher) {
  const LaunchInfo info = DetectLaunch();
  EXPECT_FALSE(info.under_launcher);
  EXPECT_FALSE(info.ranks.has_value());
}

TEST_F(DetectLaunchTest, OpenMpiStatesTheWorldSize) {
  setenv("OMPI_COMM_WORLD_SIZE", "4", 1);
  const LaunchInfo info = DetectLaunch();
  EXPECT_TRUE(info.under_launcher);
  EXPECT_EQ(info.ranks, 4);
  EXPECT_EQ(info.variable, "OMPI_COMM_WORLD_SIZE");
}

TEST_F(DetectLaunchTest, SrunStepIsALaunchButAnSbatchScriptIsNot) {
  setenv("SLURM_NTASKS", "8", 1);  // set by sbatch in the batch script itself
  EXPECT_FALSE(DetectLaunch().under_launcher);
  setenv("SLURM_STEP_NUM_TASKS", "8", 1);
  EXPECT_EQ(DetectLaunch().ranks, 8);
  unsetenv("SLURM_NTASKS");
}

TEST_F(DetectLaunchTest, PmixRankAloneIsALaunchOfUnknownSize) {
  setenv("PMIX_RANK", "0", 1);
  const LaunchInfo info = DetectLaunch();
  EXPECT_TRUE(info.under_launcher);
  EXPECT_FALSE(info.ranks.has_value());
}

TEST_F(DetectLaunchTest, WithoutALauncherTheWorldIsSelf) {
  auto world = MakeWorldCommunicator();
  ASSERT_TRUE(world.has_value()) << world.error().ToString();
  EXPECT_EQ((*world)->name(), "self");
  EXPECT_EQ((*world)->size(), 1);
}

}  // namespace
}  // namespace lepton::bench
