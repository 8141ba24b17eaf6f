#include "conformance/onnx/node_tests.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace lepton::onnx {
namespace {

namespace fs = std::filesystem;

const fs::path kSuite = "conformance/onnx/testdata/onnx-1.12.0-node";

TEST(NodeTestsTest, PassesEveryVendoredOnnxNodeTest) {
  const auto results = RunNodeTests({kSuite});
  ASSERT_EQ(results.size(), 63u);
  for (const NodeTestResult& result : results) {
    EXPECT_EQ(result.outcome, NodeTestOutcome::kPassed) << result.name << ": " << result.detail;
    EXPECT_GE(result.data_sets, 1) << result.name;
  }
}

class BrokenNodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("lepton_node_" + std::to_string(::getpid())) / "test_x";
    fs::create_directories(dir_.parent_path());
    fs::copy(kSuite / "test_relu", dir_, fs::copy_options::recursive);
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add);
    for (const auto& entry : fs::recursive_directory_iterator(dir_)) {
      fs::permissions(entry.path(), fs::perms::owner_all, fs::perm_options::add);
    }
  }
  void TearDown() override { fs::remove_all(dir_.parent_path()); }
  fs::path dir_;
};

TEST_F(BrokenNodeTest, WrongExpectedOutputFailsNamingTheElement) {
  // Swap in another test's output: same dtype, other values and shape.
  fs::copy_file(kSuite / "test_sigmoid_example/test_data_set_0/output_0.pb",
                dir_ / "test_data_set_0/output_0.pb", fs::copy_options::overwrite_existing);
  const NodeTestResult result = RunNodeTest(dir_);
  EXPECT_EQ(result.outcome, NodeTestOutcome::kFailed);
  EXPECT_THAT(result.detail, ::testing::HasSubstr("test_data_set_0 output 'y': shape"));
}

TEST_F(BrokenNodeTest, CorruptModelFails) {
  std::ofstream(dir_ / "model.onnx", std::ios::binary) << "\xff\xff\xff garbage";
  const NodeTestResult result = RunNodeTest(dir_);
  EXPECT_EQ(result.outcome, NodeTestOutcome::kFailed);
  EXPECT_THAT(result.detail, ::testing::HasSubstr("not a valid ONNX ModelProto"));
}

// std::stol on the name threw std::invalid_argument for input_x.pb and took input_0.pb.orig as
// a second input 0.
TEST_F(BrokenNodeTest, FilesOutsideTheLayoutAreLeftAlone) {
  const fs::path data_set = dir_ / "test_data_set_0";
  fs::copy_file(data_set / "input_0.pb", data_set / "input_x.pb");
  fs::copy_file(data_set / "input_0.pb", data_set / "input_0.pb.orig");
  fs::create_directory(dir_ / "test_data_set_notes");
  const NodeTestResult result = RunNodeTest(dir_);
  EXPECT_EQ(result.outcome, NodeTestOutcome::kPassed) << result.detail;
  EXPECT_EQ(result.data_sets, 1);
}

TEST(NodeTestsTest, NonTestDirectoryIsReported) {
  const auto results = RunNodeTests({"spec"});
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].outcome, NodeTestOutcome::kFailed);
}

}  // namespace
}  // namespace lepton::onnx
