#include "bench/workloads/linear_regression/regression_sources.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace lepton::bench {
namespace {

using ::testing::HasSubstr;

SyntheticSpec SmallSpec(std::uint64_t seed = 7) {
  return SyntheticSpec{
      .rows = 1000, .features = 3, .noise_sigma = 0.1, .holdout_fraction = 0.1, .seed = seed};
}

TEST(RegressionDataTest, SyntheticLayoutAndSplit) {
  const auto data = GenerateSynthetic(SmallSpec()).value();
  EXPECT_EQ(data.train_rows, 900);
  EXPECT_EQ(data.holdout_rows, 100);
  EXPECT_EQ(data.train.size(), 900u * 5);
  EXPECT_EQ(data.holdout.size(), 100u * 5);
  ASSERT_TRUE(data.true_coefficients.has_value());
  EXPECT_EQ(data.true_coefficients->size(), 4u);
  for (std::int64_t i = 0; i < data.train_rows; ++i) EXPECT_EQ(data.TrainRow(i)[3], 1.0);
}

TEST(RegressionDataTest, SameSeedSameBytesOtherSeedOtherBytes) {
  const auto a = GenerateSynthetic(SmallSpec(7)).value();
  const auto b = GenerateSynthetic(SmallSpec(7)).value();
  const auto c = GenerateSynthetic(SmallSpec(8)).value();
  EXPECT_EQ(DataDigest(a), DataDigest(b));
  EXPECT_NE(DataDigest(a), DataDigest(c));
}

TEST(RegressionDataTest, NoiseFreeRowsFollowTheTrueModel) {
  auto spec = SmallSpec();
  spec.noise_sigma = 0;
  const auto data = GenerateSynthetic(spec).value();
  ASSERT_TRUE(data.true_coefficients.has_value());
  const std::vector<double> w = data.true_coefficients.value();
  for (std::int64_t i = 0; i < 10; ++i) {
    const auto row = data.TrainRow(i);
    EXPECT_NEAR(row[4], w[0] * row[0] + w[1] * row[1] + w[2] * row[2] + w[3], 1e-12);
  }
}

TEST(RegressionDataTest, FeaturesAreStandardNormal) {
  auto spec = SmallSpec();
  spec.rows = 200000;
  const auto data = GenerateSynthetic(spec).value();
  double sum = 0;
  double sum_squares = 0;
  for (std::int64_t i = 0; i < data.train_rows; ++i) {
    sum += data.TrainRow(i)[0];
    sum_squares += data.TrainRow(i)[0] * data.TrainRow(i)[0];
  }
  const auto n = static_cast<double>(data.train_rows);
  EXPECT_NEAR(sum / n, 0.0, 0.01);
  EXPECT_NEAR(sum_squares / n, 1.0, 0.01);
}

class CsvTest : public ::testing::Test {
 protected:
  std::filesystem::path Write(const std::string& text) {
    path_ = std::filesystem::temp_directory_path() /
            ("lepton_csv_" + std::to_string(::getpid()) + ".csv");
    std::ofstream(path_) << text;
    return path_;
  }
  void TearDown() override { std::filesystem::remove(path_); }
  std::filesystem::path path_;
};

TEST_F(CsvTest, ReadsRowsWithHeaderAndInsertsConstantColumn) {
  CsvSpec spec{Write("x1,x2,y\n1,2,3\n4, 5 ,6\n7,8,9\n10,11,12\n"), true, 0.25, std::nullopt};
  const auto data = LoadCsv(spec).value();
  EXPECT_EQ(data.features, 2);
  EXPECT_EQ(data.train_rows, 3);
  EXPECT_EQ(data.holdout_rows, 1);
  EXPECT_THAT(data.train, ::testing::ElementsAre(1, 2, 1, 3, 4, 5, 1, 6, 7, 8, 1, 9));
  EXPECT_FALSE(data.true_coefficients.has_value());
}

TEST_F(CsvTest, MalformedNumberNamesLineAndColumn) {
  const auto path = Write("1,2,3\n4,x5,6\n");
  const auto data = LoadCsv({path, false, 0.1, std::nullopt});
  ASSERT_FALSE(data.has_value());
  EXPECT_EQ(data.error().message(), path.string() + ":2:3: expected a finite number, found 'x5'");
}

TEST_F(CsvTest, RaggedRowsAndBadInputsAreErrors) {
  const auto ragged = Write("1,2,3\n4,5\n");
  EXPECT_EQ(LoadCsv({ragged, false, 0.1, std::nullopt}).error().message(),
            ragged.string() + ":2: expected 3 columns like the first row, found 2");
  const auto nan = Write("1,2,nan\n");
  EXPECT_THAT(LoadCsv({nan, false, 0.1, std::nullopt}).error().message(),
              HasSubstr(":1:5: expected a finite number"));
  const auto empty = Write("x,y\n");
  EXPECT_EQ(LoadCsv({empty, true, 0.1, std::nullopt}).error().message(),
            empty.string() + ": no data rows");
  const auto few = Write("1,2\n3,4\n");
  EXPECT_THAT(LoadCsv({few, false, 0.5, std::nullopt}).error().message(),
              HasSubstr("fewer training rows (1) than coefficients"));
  const auto coefficients = Write("1,2\n3,4\n5,6\n7,8\n");
  EXPECT_THAT(LoadCsv({coefficients, false, 0.25, std::vector<double>{1.0}}).error().message(),
              HasSubstr("dataset.coefficients has 1 values"));
  EXPECT_EQ(LoadCsv({"/nonexistent/file.csv", false, 0.1, std::nullopt}).error().code(),
            StatusCode::kNotFound);
}

}  // namespace
}  // namespace lepton::bench
