#include "conformance/spec/yaml_document.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lepton::spec {
namespace {

using ::testing::HasSubstr;

TEST(YamlDocumentTest, KeepsPositionsAndQuoting) {
  const auto doc = ParseYaml("a: 1\nb:\n  - \"2\"\n", "f.yaml");
  ASSERT_TRUE(doc.has_value());
  const DocNode* b = doc->Find("b");
  ASSERT_NE(b, nullptr);
  ASSERT_EQ(b->items.size(), 1u);
  EXPECT_TRUE(b->items[0].quoted);
  EXPECT_FALSE(doc->Find("a")->quoted);
  EXPECT_EQ(b->items[0].location.ToString(), "f.yaml:3:5");
}

TEST(YamlDocumentTest, RejectsDuplicateKeys) {
  const auto doc = ParseYaml("a: 1\nb: 2\na: 3\n", "f.yaml");
  ASSERT_FALSE(doc.has_value());
  EXPECT_EQ(doc.error().message(), "f.yaml:3:1: duplicate key 'a'");
}

TEST(YamlDocumentTest, BoundsAliasExpansion) {
  // Each level doubles the nodes: 2^21 leaves once aliases are expanded.
  std::string document;
  document += "a0: &a0 [x, x]\n";
  for (int i = 1; i <= 20; ++i) {
    document += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [*a" +
                std::to_string(i - 1) + ", *a" + std::to_string(i - 1) + "]\n";
  }
  const auto doc = ParseYaml(document, "bomb.yaml");
  ASSERT_FALSE(doc.has_value());
  EXPECT_EQ(doc.error().code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(doc.error().message(), HasSubstr("more than 100000 nodes"));
}

TEST(YamlDocumentTest, BoundsDepthAndSize) {
  std::string deep = std::string(40, '[') + std::string(40, ']');
  EXPECT_EQ(ParseYaml(deep, "deep.yaml").error().code(), StatusCode::kResourceExhausted);
  YamlLimits limits;
  limits.max_bytes = 10;
  EXPECT_EQ(ParseYaml("a: 12345678901", "big.yaml", limits).error().code(),
            StatusCode::kResourceExhausted);
}

TEST(YamlDocumentTest, SyntaxErrorHasPosition) {
  const auto doc = ParseYaml("a: [1, 2\nb: 3\n", "bad.yaml");
  ASSERT_FALSE(doc.has_value());
  EXPECT_THAT(doc.error().message(), HasSubstr("bad.yaml:"));
  EXPECT_THAT(doc.error().message(), HasSubstr("YAML syntax error"));
}

}  // namespace
}  // namespace lepton::spec
