#include "conformance/checks/idx_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>

#include "conformance/checks/image_dataset.h"
#include "conformance/core/sha256.h"

namespace lepton::checks {
namespace {

using ::testing::HasSubstr;

// An IDX file: type byte, dimensions, then `data` (or as many bytes as the dims ask for).
std::string Idx(std::uint8_t type, const std::vector<std::uint32_t>& dims,
                const std::string& data) {
  std::string bytes = {0, 0, static_cast<char>(type), static_cast<char>(dims.size())};
  for (std::uint32_t d : dims) {
    for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<char>(d >> shift));
  }
  return bytes + data;
}

std::string Images(std::uint32_t count) {
  return Idx(0x08, {count, 2, 2}, std::string(std::size_t{count} * 4, '\x7f'));
}
std::string Labels(const std::string& labels) {
  return Idx(0x08, {static_cast<std::uint32_t>(labels.size())}, labels);
}

TEST(IdxFileTest, ContentDigestCoversHeaderAndData) {
  const std::string bytes = Images(3);
  EXPECT_EQ(IdxContentSha256(ParseIdx(bytes, "x").value()), Sha256Hex(bytes));
}

TEST(IdxFileTest, ParsesAValidFile) {
  const auto array = ParseIdx(Images(3), "x");
  ASSERT_TRUE(array.has_value()) << array.error().ToString();
  EXPECT_EQ(array->dims, (std::vector<std::uint32_t>{3, 2, 2}));
  EXPECT_EQ(array->data.size(), 12u);
}

// Regression (idx_file_fuzz): an empty array read its zero data bytes through memcpy into the
// null data() of an empty vector, which is undefined behaviour.
TEST(IdxFileTest, ParsesAnArrayWithAnEmptyDimension) {
  const auto array = ParseIdx(Idx(0x08, {0, 28, 28}, ""), "x");
  ASSERT_TRUE(array.has_value()) << array.error().ToString();
  EXPECT_TRUE(array->data.empty());
}

// An 8-byte file announcing 1 GiB of data used to allocate (and zero) the whole GiB before
// finding the data missing; the buffer now grows only as data arrives. tools/fuzz.sh's
// allocation limit (256 MiB) guards this on corpus/idx_file_fuzz/regression-1gib-header.idx.
TEST(IdxFileTest, HeaderAnnouncingMoreDataThanTheFileHoldsIsTruncation) {
  const auto array = ParseIdx(Idx(0x08, {1U << 30}, "abc"), "big.idx");
  ASSERT_FALSE(array.has_value());
  EXPECT_EQ(array.error().message(),
            "big.idx: byte 11: file ends after 3 of 1073741824 data bytes the header announces");
}

struct CorruptCase {
  const char* name;
  std::string bytes;
  std::string expected;
};

class CorruptIdxTest : public ::testing::TestWithParam<CorruptCase> {};

TEST_P(CorruptIdxTest, NamesFileOffsetAndProblem) {
  const auto array = ParseIdx(GetParam().bytes, "f.idx");
  ASSERT_FALSE(array.has_value());
  EXPECT_EQ(array.error().code(), StatusCode::kDataLoss);
  EXPECT_EQ(array.error().message(), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Catalogue, CorruptIdxTest,
    ::testing::Values(
        CorruptCase{"empty", "", "f.idx: byte 0: file ends inside the 4-byte magic number"},
        CorruptCase{"bad_magic", std::string("\x01\x00\x08\x01", 4),
                    "f.idx: byte 0: not an IDX file: the magic number must start with two zero "
                    "bytes"},
        CorruptCase{"unknown_type", std::string("\0\0\x07\x01", 4),
                    "f.idx: byte 2: unknown IDX data type 0x07 (expected 0x08, 0x09, 0x0B, "
                    "0x0C, 0x0D or 0x0E)"},
        CorruptCase{"zero_dims", std::string("\0\0\x08\0", 4),
                    "f.idx: byte 3: 0 dimensions; expected 1 to 4"},
        CorruptCase{"too_many_dims", std::string("\0\0\x08\x05", 4),
                    "f.idx: byte 3: 5 dimensions; expected 1 to 4"},
        CorruptCase{"truncated_header", Idx(0x08, {3, 2, 2}, "").substr(0, 9),
                    "f.idx: byte 9: file ends inside the size of dimension 1"},
        CorruptCase{"truncated_data", Idx(0x08, {3, 2, 2}, std::string(10, 'x')),
                    "f.idx: byte 26: file ends after 10 of 12 data bytes the header announces"},
        CorruptCase{"trailing_bytes", Idx(0x08, {2}, "abc"),
                    "f.idx: byte 10: trailing bytes after the data the header announces"},
        CorruptCase{"huge_dims", Idx(0x08, {0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF}, ""),
                    "f.idx: byte 4: dimensions ask for more than 1073741824 bytes of data; "
                    "refusing to allocate"},
        CorruptCase{"huge_product", Idx(0x08, {1u << 16, 1u << 16}, ""),
                    "f.idx: byte 8: dimensions ask for more than 1073741824 bytes of data; "
                    "refusing to allocate"},
        CorruptCase{"huge_float64", Idx(0x0E, {1u << 28}, ""),
                    "f.idx: byte 4: dimensions ask for more than 1073741824 bytes of data; "
                    "refusing to allocate"}),
    [](const ::testing::TestParamInfo<CorruptCase>& param_info) { return param_info.param.name; });

TEST(ImageSetTest, ValidPair) {
  const auto set =
      MakeImageSet(ParseIdx(Images(3), "i").value(),
                   ParseIdx(Labels(std::string("\x01\x09\x00", 3)), "l").value(), 10, "i", "l");
  ASSERT_TRUE(set.has_value()) << set.error().ToString();
  EXPECT_EQ(set->count, 3);
  EXPECT_EQ(set->rows, 2);
  EXPECT_EQ(set->labels[1], 9);
}

TEST(ImageSetTest, RejectsMismatchesAndOutOfRangeLabels) {
  const auto mismatch = MakeImageSet(ParseIdx(Images(3), "i").value(),
                                     ParseIdx(Labels("\x01\x02"), "l").value(), 10, "i", "l");
  EXPECT_EQ(mismatch.error().message(), "i holds 3 images but l holds 2 labels");
  const auto range = MakeImageSet(ParseIdx(Images(2), "i").value(),
                                  ParseIdx(Labels("\x01\x0a"), "l").value(), 10, "i", "l");
  EXPECT_EQ(range.error().message(), "l: label 10 of item 1 (byte 9) is not below 10");
  const auto flat = MakeImageSet(ParseIdx(Labels("\x01\x02"), "i").value(),
                                 ParseIdx(Labels("\x01\x02"), "l").value(), 10, "i", "l");
  EXPECT_THAT(flat.error().message(), HasSubstr("expected uint8 images with 3 dimensions"));
}

class IdxFilesOnDisk : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("lepton_idx_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void WriteGzip(const std::string& name, const std::string& bytes) {
    gzFile file = gzopen((dir_ / name).c_str(), "wb");
    gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(file);
  }
  std::filesystem::path dir_;
};

TEST_F(IdxFilesOnDisk, ReadsGzipAndRawSplits) {
  WriteGzip("train-images-idx3-ubyte.gz", Images(2));
  std::ofstream(dir_ / "train-labels-idx1-ubyte", std::ios::binary) << Labels("\x03\x04");
  const auto files = FindSplitFiles(dir_, "train").value();
  const auto set = LoadImageSet(files.images, files.labels, 10);
  ASSERT_TRUE(set.has_value()) << set.error().ToString();
  EXPECT_EQ(set->count, 2);
  EXPECT_EQ(FindSplitFiles(dir_, "t10k").error().code(), StatusCode::kNotFound);
}

TEST_F(IdxFilesOnDisk, CorruptGzipIsDataLoss) {
  std::string gz;
  {
    WriteGzip("x.gz", Images(50));
    std::ifstream in(dir_ / "x.gz", std::ios::binary);
    gz.assign(std::istreambuf_iterator<char>(in), {});
  }
  gz.resize(gz.size() / 2);  // cut the deflate stream in half
  std::ofstream(dir_ / "cut.gz", std::ios::binary) << gz;
  const auto array = ReadIdxFile(dir_ / "cut.gz");
  ASSERT_FALSE(array.has_value());
  EXPECT_EQ(array.error().code(), StatusCode::kDataLoss);
  EXPECT_THAT(array.error().message(), HasSubstr((dir_ / "cut.gz").string()));
  EXPECT_EQ(ReadIdxFile(dir_ / "missing").error().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace lepton::checks
