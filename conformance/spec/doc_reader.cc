#include "conformance/spec/doc_reader.h"

#include <charconv>
#include <cmath>

#include "conformance/core/strings.h"

namespace lepton::spec {
namespace {

std::string Quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

Status WrongType(const DocNode& node, std::string_view what, std::string_view expected) {
  std::string found(DocNodeTypeName(node.type));
  if (node.type == DocNode::Type::kScalar) {
    found = (node.quoted ? "the string " : "") + Quoted(node.scalar);
  }
  return ErrorAt(node.location,
                 std::string(what) + ": expected " + std::string(expected) + ", found " + found);
}

}  // namespace

Result<MapView> MapView::Open(const DocNode& node, std::string_view what,
                              std::initializer_list<std::string_view> allowed) {
  if (node.type != DocNode::Type::kMap) {
    return std::unexpected(WrongType(node, what, "a map"));
  }
  for (const auto& [key, value] : node.entries) {
    bool known = false;
    for (std::string_view candidate : allowed) known = known || candidate == key.scalar;
    if (!known) {
      return std::unexpected(ErrorAt(key.location, "unknown key " + Quoted(key.scalar) + " in " +
                                                       std::string(what) +
                                                       "; expected one of: " + JoinComma(allowed)));
    }
  }
  return MapView(node, std::string(what));
}

Result<const DocNode*> MapView::Require(std::string_view key) const {
  const DocNode* value = Get(key);
  if (value == nullptr) {
    return std::unexpected(
        ErrorAt(node_->location, what_ + ": missing required key " + Quoted(key)));
  }
  return value;
}

Result<std::string> ReadString(const DocNode& node, std::string_view what) {
  if (node.type != DocNode::Type::kScalar)
    return std::unexpected(WrongType(node, what, "a string"));
  return node.scalar;
}

bool LooksLikeNumber(const DocNode& node) {
  if (node.type != DocNode::Type::kScalar || node.quoted || node.scalar.empty()) return false;
  double value = 0;
  const char* begin = node.scalar.data();
  const char* end = begin + node.scalar.size();
  if (*begin == '+') ++begin;
  const auto [stop, error] = std::from_chars(begin, end, value);
  return error == std::errc() && stop == end && std::isfinite(value);
}

Result<double> ReadNumber(const DocNode& node, std::string_view what) {
  if (!LooksLikeNumber(node)) return std::unexpected(WrongType(node, what, "a number"));
  double value = 0;
  const char* begin = node.scalar.data();
  if (*begin == '+') ++begin;
  std::from_chars(begin, node.scalar.data() + node.scalar.size(), value);
  return value;
}

Result<std::int64_t> ReadInt(const DocNode& node, std::string_view what) {
  std::int64_t value = 0;
  if (node.type == DocNode::Type::kScalar && !node.quoted) {
    const char* begin = node.scalar.data();
    const char* end = begin + node.scalar.size();
    const auto [stop, error] = std::from_chars(begin, end, value);
    if (!node.scalar.empty() && error == std::errc() && stop == end) return value;
  }
  return std::unexpected(WrongType(node, what, "a whole number"));
}

Result<bool> ReadBool(const DocNode& node, std::string_view what) {
  if (node.type == DocNode::Type::kScalar && !node.quoted) {
    if (node.scalar == "true") return true;
    if (node.scalar == "false") return false;
  }
  return std::unexpected(WrongType(node, what, "true or false"));
}

Result<std::vector<std::string>> ReadStringList(const DocNode& node, std::string_view what) {
  if (node.type != DocNode::Type::kSequence) {
    return std::unexpected(WrongType(node, what, "a list of strings"));
  }
  std::vector<std::string> out;
  for (const DocNode& item : node.items) {
    LEPTON_ASSIGN_OR_RETURN(std::string text, ReadString(item, what));
    out.push_back(std::move(text));
  }
  return out;
}

}  // namespace lepton::spec
