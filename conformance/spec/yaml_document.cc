#include "conformance/spec/yaml_document.h"

#include <yaml-cpp/yaml.h>

#include <set>

namespace lepton::spec {
namespace {

class Converter {
 public:
  Converter(std::string_view file, const YamlLimits& limits) : file_(file), limits_(limits) {}

  Result<DocNode> Convert(const YAML::Node& node, int depth) {
    DocNode out;
    out.location = Locate(node.Mark());
    if (++nodes_ > limits_.max_nodes) {
      return std::unexpected(ResourceExhaustedError(
          out.location.ToString() + ": document has more than " +
          std::to_string(limits_.max_nodes) + " nodes (aliases count once per use)"));
    }
    if (depth > limits_.max_depth) {
      return std::unexpected(ResourceExhaustedError(
          out.location.ToString() + ": nesting deeper than " + std::to_string(limits_.max_depth)));
    }
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        out.type = DocNode::Type::kNull;
        break;
      case YAML::NodeType::Scalar:
        out.type = DocNode::Type::kScalar;
        out.scalar = node.Scalar();
        // yaml-cpp tags quoted scalars "!" and plain ones "?".
        out.quoted = node.Tag() == "!";
        break;
      case YAML::NodeType::Sequence:
        out.type = DocNode::Type::kSequence;
        for (const YAML::Node& item : node) {
          LEPTON_ASSIGN_OR_RETURN(DocNode child, Convert(item, depth + 1));
          out.items.push_back(std::move(child));
        }
        break;
      case YAML::NodeType::Map: {
        out.type = DocNode::Type::kMap;
        std::set<std::string, std::less<>> seen;
        for (const auto& entry : node) {
          LEPTON_ASSIGN_OR_RETURN(DocNode key, Convert(entry.first, depth + 1));
          if (key.type != DocNode::Type::kScalar) {
            return std::unexpected(ErrorAt(key.location, "map keys must be plain strings"));
          }
          if (!seen.insert(key.scalar).second) {
            return std::unexpected(ErrorAt(key.location, "duplicate key '" + key.scalar + "'"));
          }
          LEPTON_ASSIGN_OR_RETURN(DocNode value, Convert(entry.second, depth + 1));
          out.entries.emplace_back(std::move(key), std::move(value));
        }
        break;
      }
    }
    return out;
  }

  [[nodiscard]] SourceLocation Locate(const YAML::Mark& mark) const {
    if (mark.is_null()) return {file_, 0, 0};
    return {file_, mark.line + 1, mark.column + 1};
  }

 private:
  std::string file_;
  YamlLimits limits_;
  std::size_t nodes_ = 0;
};

}  // namespace

const DocNode* DocNode::Find(std::string_view key) const {
  for (const auto& [k, v] : entries) {
    if (k.scalar == key) return &v;
  }
  return nullptr;
}

std::string_view DocNodeTypeName(DocNode::Type type) {
  switch (type) {
    case DocNode::Type::kNull:
      return "nothing";
    case DocNode::Type::kScalar:
      return "a scalar";
    case DocNode::Type::kSequence:
      return "a list";
    case DocNode::Type::kMap:
      return "a map";
  }
  return "unknown";
}

Result<DocNode> ParseYaml(std::string_view text, std::string_view file_name,
                          const YamlLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return std::unexpected(ResourceExhaustedError(
        std::string(file_name) + ": file is " + std::to_string(text.size()) +
        " bytes, more than the limit of " + std::to_string(limits.max_bytes)));
  }
  Converter converter(file_name, limits);
  try {
    const YAML::Node root = YAML::Load(std::string(text));
    return converter.Convert(root, 0);
  } catch (const YAML::Exception& error) {
    return std::unexpected(
        ErrorAt(converter.Locate(error.mark), "YAML syntax error: " + error.msg));
  } catch (const std::exception& error) {
    return std::unexpected(
        InternalError(std::string(file_name) + ": YAML parser: " + error.what()));
  }
}

}  // namespace lepton::spec
