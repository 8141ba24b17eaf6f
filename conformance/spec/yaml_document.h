#pragma once
// The one adapter over yaml-cpp: parses YAML into a plain tree that keeps every node's position,
// rejects duplicate keys, and bounds depth and size so a hostile file cannot exhaust memory
// (aliases are expanded while counting nodes, so "billion laughs" stops at the node limit).

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "conformance/core/status.h"
#include "conformance/spec/source_location.h"

namespace lepton::spec {

struct YamlLimits {
  std::size_t max_bytes = 1 << 20;
  int max_depth = 32;
  std::size_t max_nodes = 100000;
};

struct DocEntry;

struct DocNode {
  enum class Type { kNull, kScalar, kSequence, kMap };

  Type type = Type::kNull;
  std::string scalar;             // kScalar: the text as written, without quotes
  bool quoted = false;            // kScalar: written in quotes (so "20" is a string, not a number)
  std::vector<DocNode> items;     // kSequence
  std::vector<DocEntry> entries;  // kMap, in file order; keys are scalars
  SourceLocation location;

  [[nodiscard]] const DocNode* Find(std::string_view key) const;
};

// A named struct rather than std::pair<DocNode, DocNode>: instantiating the pair while DocNode is
// still incomplete is rejected by clang (which builds the fuzz targets).
struct DocEntry {
  DocNode key;
  DocNode value;
};

std::string_view DocNodeTypeName(DocNode::Type type);

Result<DocNode> ParseYaml(std::string_view text, std::string_view file_name,
                          const YamlLimits& limits = {});

}  // namespace lepton::spec
