#pragma once
// Strict, typed access to a DocNode: wrong types, unknown keys and missing keys become errors that
// name the file, line and column. "20" in quotes is a string; 20 is a number; yes/no are not bools.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/core/status.h"
#include "conformance/spec/yaml_document.h"

namespace lepton::spec {

class MapView {
 public:
  // Fails unless `node` is a map whose keys all appear in `allowed`. `what` names the map in
  // messages ("requirement 'PERF-X'").
  static Result<MapView> Open(const DocNode& node, std::string_view what,
                              std::initializer_list<std::string_view> allowed);

  [[nodiscard]] const DocNode* Get(std::string_view key) const { return node_->Find(key); }
  [[nodiscard]] Result<const DocNode*> Require(std::string_view key) const;
  [[nodiscard]] const DocNode& node() const { return *node_; }
  [[nodiscard]] const std::string& what() const { return what_; }

 private:
  MapView(const DocNode& node, std::string what) : node_(&node), what_(std::move(what)) {}
  const DocNode* node_;
  std::string what_;
};

Result<std::string> ReadString(const DocNode& node, std::string_view what);
Result<double> ReadNumber(const DocNode& node, std::string_view what);
Result<std::int64_t> ReadInt(const DocNode& node, std::string_view what);
Result<bool> ReadBool(const DocNode& node, std::string_view what);
Result<std::vector<std::string>> ReadStringList(const DocNode& node, std::string_view what);

// Whether a plain scalar reads as a number (used to decide how to store untyped values).
bool LooksLikeNumber(const DocNode& node);

}  // namespace lepton::spec
