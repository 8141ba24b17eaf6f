#include "conformance/core/status.h"

#include <gtest/gtest.h>

namespace lepton {
namespace {

Result<int> ParsePositive(int value) {
  if (value <= 0) return std::unexpected(InvalidArgumentError("not positive"));
  return value;
}

Result<int> Doubled(int value) {
  LEPTON_ASSIGN_OR_RETURN(int parsed, ParsePositive(value));
  return parsed * 2;
}

Status CheckBoth(int a, int b) {
  LEPTON_RETURN_IF_ERROR(ParsePositive(a));
  LEPTON_RETURN_IF_ERROR(Doubled(b));
  return OkStatus();
}

TEST(StatusTest, DefaultIsOk) {
  EXPECT_TRUE(Status().ok());
  EXPECT_EQ(Status().ToString(), "OK");
}

TEST(StatusTest, ToStringNamesTheCode) {
  EXPECT_EQ(DataLossError("truncated").ToString(), "DATA_LOSS: truncated");
}

TEST(StatusTest, WithContextPrefixesAndKeepsCode) {
  const Status status = NotFoundError("no such file").WithContext("spec.yaml");
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_EQ(status.message(), "spec.yaml: no such file");
  EXPECT_TRUE(OkStatus().WithContext("ignored").ok());
}

TEST(StatusTest, AssignOrReturnPropagatesIntoResult) {
  EXPECT_EQ(Doubled(4).value(), 8);
  EXPECT_EQ(Doubled(-1).error().message(), "not positive");
}

TEST(StatusTest, ReturnIfErrorPropagatesIntoStatus) {
  EXPECT_TRUE(CheckBoth(1, 2).ok());
  EXPECT_EQ(CheckBoth(1, 0).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckBoth(0, 1).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace lepton
