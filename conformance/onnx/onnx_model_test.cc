#include "conformance/onnx/onnx_model.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "conformance/onnx/executor.h"

namespace lepton::onnx {
namespace {

struct TinyMlp {
  std::vector<float> w1 = {1, -1, 0.5F, 2, 0, 1};  // 3 x 2
  std::vector<float> b1 = {0.1F, -0.2F};
  std::vector<float> w2 = {1, 0, -1, 1};  // 2 x 2
  std::vector<float> b2 = {0, 0.5F};
  [[nodiscard]] MlpExport Export() const {
    return MlpExport{3, 2, 2, w1, b1, w2, b2, "test", "tiny"};
  }
};

TEST(OnnxModelTest, ExportPassesCheckerAndShapeInference) {
  const auto bytes = ExportMlp(TinyMlp().Export());
  ASSERT_TRUE(bytes.has_value()) << bytes.error().ToString();
  EXPECT_TRUE(CheckModel(*bytes, "tiny.onnx").ok()) << CheckModel(*bytes, "tiny.onnx").ToString();
  const auto graph = ParseModel(*bytes, "tiny.onnx");
  ASSERT_TRUE(graph.has_value());
  EXPECT_EQ(graph->ir_version, 8);
  EXPECT_EQ(graph->opset, 17);
  EXPECT_EQ(graph->inputs, (std::vector<std::string>{"input"}));
  EXPECT_EQ(graph->outputs, (std::vector<std::string>{"logits", "probabilities"}));
}

TEST(OnnxModelTest, ExportedModelComputesTheMlp) {
  const TinyMlp mlp;
  auto executor = Executor::Create(ParseModel(*ExportMlp(mlp.Export()), "tiny").value()).value();
  const std::vector<float> x = {1, 2, 3};
  const auto outputs = executor.Run({{"input", Tensor::Float({1, 3}, x)}}).value();
  // hidden = relu(x W1 + b1) = relu([1 - 2 + 0.1 ... ]) computed by hand:
  // x W1 = [1*1 + 2*0.5 + 3*0, 1*-1 + 2*2 + 3*1] = [2, 6]; + b1 = [2.1, 5.8]
  // logits = [2.1*1 + 5.8*-1, 2.1*0 + 5.8*1] + b2 = [-3.7, 6.3]
  const Tensor& logits = outputs.at("logits");
  EXPECT_NEAR(logits.floats[0], -3.7F, 1e-5);
  EXPECT_NEAR(logits.floats[1], 6.3F, 1e-5);
  const Tensor& probabilities = outputs.at("probabilities");
  EXPECT_NEAR(probabilities.floats[0] + probabilities.floats[1], 1.0F, 1e-6);
  EXPECT_NEAR(probabilities.floats[1], 1.0 / (1.0 + std::exp(-10.0)), 1e-6);
}

TEST(OnnxModelTest, CheckerRejectsBrokenModels) {
  EXPECT_EQ(CheckModel("not a model", "x.onnx").code(), StatusCode::kDataLoss);
  // A ModelProto holding only ir_version 8: no opset_import, no graph.
  const Status status = CheckModel(std::string("\x08\x08", 2), "bare.onnx");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), ::testing::HasSubstr("bare.onnx: ONNX checker:"));
}

TEST(OnnxModelTest, ParseRejectsTensorsWhoseDataDisagreesWithTheirShape) {
  TinyMlp mlp;
  mlp.w2.pop_back();
  const auto graph = ParseModel(*ExportMlp(mlp.Export()), "w2.onnx");
  ASSERT_FALSE(graph.has_value());
  EXPECT_EQ(graph.error().message(), "w2.onnx: tensor 'W2' holds 3 values for shape [2, 2]");
}

TEST(OnnxModelTest, ModelsOverTheSizeOrNodeLimitAreRefusedNamingTheLimit) {
  const std::string bytes = *ExportMlp(TinyMlp().Export());  // 4 nodes
  const ModelLimits few_nodes{.max_nodes = 3};
  EXPECT_EQ(ParseModel(bytes, "m.onnx", few_nodes).error().message(),
            "m.onnx: graph has 4 nodes, more than the limit of 3");
  EXPECT_EQ(CheckModel(bytes, "m.onnx", few_nodes).code(), StatusCode::kResourceExhausted);
  const ModelLimits small{.max_bytes = 16};
  const std::string too_big =
      "m.onnx: model is " + std::to_string(bytes.size()) + " bytes, more than the limit of 16";
  EXPECT_EQ(ParseModel(bytes, "m.onnx", small).error().message(), too_big);
  EXPECT_EQ(CheckModel(bytes, "m.onnx", small).message(), too_big);
  EXPECT_EQ(ParseTensor(bytes, "m.onnx", small).error().code(), StatusCode::kResourceExhausted);
}

// An empty dimension used to excuse the others from the element limit, so [2^62, 2^62, 0]-like
// shapes reached operators whose products of dimensions then overflowed.
TEST(OnnxModelTest, EmptyTensorsAreStillBoundedByTheirOtherDimensions) {
  TinyMlp mlp;
  MlpExport empty_hidden = mlp.Export();
  empty_hidden.hidden = 0;  // W1 [3, 0], b1 [0], W2 [0, 2]: no values at all
  empty_hidden.w1 = {};
  empty_hidden.b1 = {};
  empty_hidden.w2 = {};
  const std::string bytes = *ExportMlp(empty_hidden);
  EXPECT_TRUE(ParseModel(bytes, "e.onnx").has_value());
  const auto graph = ParseModel(bytes, "e.onnx", ModelLimits{.max_tensor_elements = 2});
  ASSERT_FALSE(graph.has_value());
  EXPECT_EQ(graph.error().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(graph.error().message(),
            "e.onnx: tensor 'W1' of shape [3, 0] has a negative dimension or more than the limit "
            "of 2 elements");
}

}  // namespace
}  // namespace lepton::onnx
