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

Result<Tensor> RunOne(const Node& node, const std::map<std::string, Tensor>& inputs) {
  Graph graph;
  graph.opset = 17;
  for (const auto& [name, tensor] : inputs) graph.inputs.push_back(name);
  graph.outputs = {"y"};
  graph.nodes = {node};
  LEPTON_ASSIGN_OR_RETURN(Executor executor, Executor::Create(graph));
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

}  // namespace
}  // namespace lepton::onnx
