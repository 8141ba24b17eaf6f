#include "conformance/core/data_roots.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

namespace lepton {
namespace {

// Runs the body from a fresh empty working directory, as a user starting lepton-cert elsewhere.
class DataRootsFromElsewhereTest : public ::testing::Test {
 protected:
  std::filesystem::path previous_ = std::filesystem::current_path();
  std::filesystem::path elsewhere_ =
      std::filesystem::temp_directory_path() / ("lepton-roots-" + std::to_string(::getpid()));
  void SetUp() override {
    std::filesystem::create_directories(elsewhere_);
    std::filesystem::current_path(elsewhere_);
  }
  void TearDown() override {
    std::filesystem::current_path(previous_);
    std::filesystem::remove_all(elsewhere_);
  }
};

TEST_F(DataRootsFromElsewhereTest, TheBundleComesFirstAndTheWorkingDirectoryLast) {
  const std::vector<std::filesystem::path> roots = DataRoots();
  ASSERT_GE(roots.size(), 2U);
  EXPECT_EQ(roots.front().filename(), "lepton-cert");
  EXPECT_EQ(roots.front().parent_path().filename(), "share");
  EXPECT_EQ(roots.back(), elsewhere_);
}

TEST_F(DataRootsFromElsewhereTest, FindsTheCheckoutsFilesFromAnotherDirectory) {
  // The test binary is built from the checkout, so its files are found with no help from the
  // working directory, which holds nothing.
  const std::optional<std::filesystem::path> found =
      FindUnderDataRoots("spec/lepton-v1/lepton.yaml");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->lexically_normal(),
            (std::filesystem::path(LEPTON_SOURCE_ROOT) / "spec/lepton-v1/lepton.yaml"));
}

TEST_F(DataRootsFromElsewhereTest, TheWorkingDirectoryStillCountsForWhatNothingElseHas) {
  std::filesystem::create_directories(elsewhere_ / "only-here");
  const std::optional<std::filesystem::path> found = FindUnderDataRoots("only-here");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(*found, elsewhere_ / "only-here");
  EXPECT_FALSE(FindUnderDataRoots("nowhere-at-all").has_value());
}

}  // namespace
}  // namespace lepton
