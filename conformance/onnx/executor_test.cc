#include "conformance/onnx/executor.h"

#include <gtest/gtest.h>

#include "conformance/onnx/ops.h"

namespace lepton::onnx {
namespace {

Node MakeNode(std::string op, std::vector<std::string> inputs,
              std::map<std::string, Attribute> attributes = {}) {
  Node node;
  node.op_type = std::move(op);
  node.name = "n";
  node.inputs = std::move(inputs);
  node.outputs = {"y"};
  node.attributes = std::move(attributes);
  return node;
}

Attribute Int(std::int64_t value) {
  Attribute a;
  a.kind = Attribute::Kind::kInt;
  a.i = value;
  return a;
}

Result<Tensor> RunOne(const Node& node, const std::map<std::string, Tensor>& inputs,
                      const ExecutorLimits& limits = {}) {
  Graph graph;
  graph.opset = 17;
  for (const auto& [name, tensor] : inputs) graph.inputs.push_back(name);
  graph.outputs = {"y"};
  graph.nodes = {node};
  LEPTON_ASSIGN_OR_RETURN(Executor executor, Executor::Create(graph, limits));
  LEPTON_ASSIGN_OR_RETURN(auto outputs, executor.Run(inputs));
  return outputs.at("y");
}

TEST(ExecutorTest, BroadcastsBothWays) {
  const auto y = RunOne(MakeNode("Sub", {"a", "b"}), {{"a", Tensor::Float({2, 1}, {10, 20})},
                                                      {"b", Tensor::Float({3}, {1, 2, 3})}});
  ASSERT_TRUE(y.has_value()) << y.error().ToString();
  EXPECT_EQ(y->shape, (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(y->floats, (std::vector<float>{9, 8, 7, 19, 18, 17}));
  EXPECT_FALSE(BroadcastShapes({2, 3}, {4}).has_value());
}

TEST(ExecutorTest, GemmTransposesScalesAndBroadcastsC) {
  std::map<std::string, Attribute> attributes = {{"transA", Int(1)}};
  Attribute alpha;
  alpha.kind = Attribute::Kind::kFloat;
  alpha.f = 2.0F;
  attributes["alpha"] = alpha;
  // A^T = [[1, 2]], B = [[1], [1]], C = [5] -> 2 * 3 + 5
  const auto y =
      RunOne(MakeNode("Gemm", {"a", "b", "c"}, attributes), {{"a", Tensor::Float({2, 1}, {1, 2})},
                                                             {"b", Tensor::Float({2, 1}, {1, 1})},
                                                             {"c", Tensor::Float({1}, {5})}});
  ASSERT_TRUE(y.has_value()) << y.error().ToString();
  EXPECT_EQ(y->floats, (std::vector<float>{11}));
}

TEST(ExecutorTest, MatMulPromotesVectors) {
  const auto y =
      RunOne(MakeNode("MatMul", {"a", "b"}),
             {{"a", Tensor::Float({2}, {1, 2})}, {"b", Tensor::Float({2, 2}, {1, 2, 3, 4})}});
  ASSERT_TRUE(y.has_value()) << y.error().ToString();
  EXPECT_EQ(y->shape, (std::vector<std::int64_t>{2}));
  EXPECT_EQ(y->floats, (std::vector<float>{7, 10}));
}

TEST(ExecutorTest, ArgMaxSelectsFirstOrLastOfTies) {
  const Tensor x = Tensor::Float({1, 3}, {5, 5, 1});
  const auto first = RunOne(MakeNode("ArgMax", {"x"}, {{"axis", Int(1)}}), {{"x", x}});
  const auto last = RunOne(
      MakeNode("ArgMax", {"x"}, {{"axis", Int(1)}, {"select_last_index", Int(1)}}), {{"x", x}});
  ASSERT_TRUE(first && last);
  EXPECT_EQ(first->ints, (std::vector<std::int64_t>{0}));
  EXPECT_EQ(last->ints, (std::vector<std::int64_t>{1}));
  EXPECT_EQ(first->shape, (std::vector<std::int64_t>{1, 1}));
}

TEST(ExecutorTest, ReshapeInfersAndCopiesDimensions) {
  const auto y = RunOne(MakeNode("Reshape", {"x", "s"}),
                        {{"x", Tensor::Float({2, 3, 4}, std::vector<float>(24, 1))},
                         {"s", Tensor::Int64({2}, {0, -1})}});
  ASSERT_TRUE(y.has_value()) << y.error().ToString();
  EXPECT_EQ(y->shape, (std::vector<std::int64_t>{2, 12}));
  const auto bad = RunOne(MakeNode("Reshape", {"x", "s"}),
                          {{"x", Tensor::Float({2, 3}, std::vector<float>(6, 1))},
                           {"s", Tensor::Int64({2}, {-1, -1})}});
  EXPECT_FALSE(bad.has_value());
}

TEST(ExecutorTest, UnsupportedOperatorIsRefusedUpFront) {
  Graph graph;
  graph.nodes = {MakeNode("Conv", {"x", "w"})};
  const auto executor = Executor::Create(graph);
  ASSERT_FALSE(executor.has_value());
  EXPECT_EQ(executor.error().code(), StatusCode::kUnavailable);
  EXPECT_EQ(executor.error().message(), "operator Conv (node 'n') is not implemented");
}

TEST(ExecutorTest, MissingInputIsAnError) {
  Graph graph;
  graph.outputs = {"y"};
  graph.nodes = {MakeNode("Relu", {"ghost"})};
  const auto executor = Executor::Create(graph);
  ASSERT_TRUE(executor.has_value());
  EXPECT_EQ(executor->Run({}).error().message(),
            "Relu node 'n': input 'ghost' is not produced before it");
}

// Regression (onnx_executor_fuzz): the product of a Reshape's target dimensions overflowed
// int64 (signed overflow, undefined) before it was compared with the input's size.
TEST(ExecutorTest, ReshapeToAnOverflowingShapeIsRefused) {
  const auto y = RunOne(MakeNode("Reshape", {"x", "s"}),
                        {{"x", Tensor::Float({6}, std::vector<float>(6, 1))},
                         {"s", Tensor::Int64({3}, {6, 7061936786104387586, -1})}});
  ASSERT_FALSE(y.has_value());
  EXPECT_EQ(y.error().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(y.error().message(),
            "Reshape node 'n': output shape [6, 7061936786104387586] has more than the limit of "
            "268435456 elements");
}

// Zero-element operands make huge outputs cheap to ask for: [2^15, 0] x [0, 2^15] is 2^30 zeros.
TEST(ExecutorTest, OutputsOverTheElementLimitAreRefusedBeforeAllocating) {
  const ExecutorLimits limits{.max_tensor_elements = 1 << 20};
  const std::map<std::string, Tensor> empty_operands = {{"a", Tensor::Float({1 << 15, 0}, {})},
                                                        {"b", Tensor::Float({0, 1 << 15}, {})}};
  for (const char* op : {"MatMul", "Gemm"}) {
    const auto y = RunOne(MakeNode(op, {"a", "b"}), empty_operands, limits);
    ASSERT_FALSE(y.has_value()) << op;
    EXPECT_EQ(y.error().code(), StatusCode::kResourceExhausted) << op;
  }
  const auto sum = RunOne(MakeNode("Add", {"a", "b"}),
                          {{"a", Tensor::Float({1 << 11, 1}, std::vector<float>(1 << 11))},
                           {"b", Tensor::Float({1, 1 << 11}, std::vector<float>(1 << 11))}},
                          limits);
  ASSERT_FALSE(sum.has_value());
  EXPECT_EQ(sum.error().message(),
            "Add node 'n': output shape [2048, 2048] has more than the limit of 1048576 elements");
}

TEST(ExecutorTest, MultiplyAddsOverTheLimitAreRefused) {
  const ExecutorLimits limits{.max_multiply_adds = 1000};
  const auto y = RunOne(MakeNode("MatMul", {"a", "b"}),
                        {{"a", Tensor::Float({10, 11}, std::vector<float>(110))},
                         {"b", Tensor::Float({11, 10}, std::vector<float>(110))}},
                        limits);
  ASSERT_FALSE(y.has_value());
  EXPECT_EQ(y.error().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(y.error().message(), "MatMul node 'n': more than the limit of 1000 multiply-adds");
}

// Regression (onnx_executor_fuzz): Softmax over an empty axis stepped through the null data of
// an empty tensor (pointer arithmetic on null, undefined). ArgMax over one has no answer.
TEST(ExecutorTest, SoftmaxAndArgMaxOverAnEmptyAxis) {
  const Tensor x = Tensor::Float({3, 0, 4}, {});
  for (const char* op : {"Softmax", "LogSoftmax"}) {
    const auto y = RunOne(MakeNode(op, {"x"}, {{"axis", Int(1)}}), {{"x", x}});
    ASSERT_TRUE(y.has_value()) << op << ": " << y.error().ToString();
    EXPECT_EQ(y->shape, x.shape);
  }
  const auto arg = RunOne(MakeNode("ArgMax", {"x"}, {{"axis", Int(1)}}), {{"x", x}});
  ASSERT_FALSE(arg.has_value());
  EXPECT_EQ(arg.error().message(), "ArgMax node 'n': axis has length 0: no maximum");
}

// An int64 C used to be read through its (empty) float values: a heap overflow.
TEST(ExecutorTest, GemmRefusesANonFloatC) {
  const auto y = RunOne(MakeNode("Gemm", {"a", "b", "c"}), {{"a", Tensor::Float({1, 1}, {1})},
                                                            {"b", Tensor::Float({1, 1}, {1})},
                                                            {"c", Tensor::Int64({1}, {5})}});
  ASSERT_FALSE(y.has_value());
  EXPECT_EQ(y.error().message(), "Gemm node 'n': input 2 (C) is not float32");
}

TEST(ExecutorTest, InputWhoseValuesDoNotMatchItsShapeIsRefused) {
  const auto y = RunOne(MakeNode("Relu", {"x"}), {{"x", Tensor::Float({2, 2}, {1, 2, 3})}});
  ASSERT_FALSE(y.has_value());
  EXPECT_EQ(y.error().message(), "tensor 'x' holds 3 values for shape [2, 2]");
}

}  // namespace
}  // namespace lepton::onnx
