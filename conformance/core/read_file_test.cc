#include "conformance/core/read_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace lepton {
namespace {

using ::testing::HasSubstr;

class ReadFileCappedTest : public ::testing::Test {
 protected:
  std::filesystem::path dir_ =
      std::filesystem::temp_directory_path() / ("lepton-read-" + std::to_string(::getpid()));
  void SetUp() override { std::filesystem::create_directories(dir_); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path Write(const std::string& name, const std::string& bytes) {
    std::ofstream(dir_ / name, std::ios::binary) << bytes;
    return dir_ / name;
  }
};

TEST_F(ReadFileCappedTest, ReadsAWholeFile) {
  auto bytes = ReadFileCapped(Write("a.json", std::string("{\0}", 3)), 100);
  ASSERT_TRUE(bytes.has_value());
  EXPECT_EQ(*bytes, std::string("{\0}", 3));
}

TEST_F(ReadFileCappedTest, RefusesFilesOverTheCapAndNonFiles) {
  auto big = ReadFileCapped(Write("big", std::string(101, 'x')), 100);
  ASSERT_FALSE(big.has_value());
  EXPECT_THAT(big.error().message(), HasSubstr("101 bytes, larger than the limit of 100"));
  auto directory = ReadFileCapped(dir_, 100);
  ASSERT_FALSE(directory.has_value());
  EXPECT_THAT(directory.error().message(), HasSubstr("not a regular file"));
  auto missing = ReadFileCapped(dir_ / "nope", 100);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace lepton
