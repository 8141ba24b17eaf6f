#pragma once
// The catalogue of workload types the language knows: for each, the parameters a spec may pin
// (with types and ranges) and the metrics it produces (with units). The loader checks workloads
// and requirements against it, so a typo is an error at `spec check`, never a silent default.
// A new workload type adds one entry here and one implementation under bench/workloads/.

#include <span>
#include <string_view>

#include "conformance/core/status.h"
#include "conformance/spec/spec_model.h"

namespace lepton::spec {

enum class ParamKind { kBool, kInt, kNumber, kString, kIntList, kNumberList, kStringList };
std::string_view ParamKindName(ParamKind kind);

struct ParamSchema {
  std::string_view path;  // dotted: "optimizer.lr"
  ParamKind kind;
  bool required;
  double min;  // inclusive bounds for numbers, ints and list elements
  double max;
  std::span<const std::string_view> choices;  // for strings; empty = any
  std::string_view doc;
};

struct MetricSchema {
  std::string_view name;
  std::string_view unit;
  std::string_view doc;
};

struct WorkloadType {
  std::string_view name;
  std::string_view doc;
  std::span<const ParamSchema> params;
  std::span<const MetricSchema> metrics;
  // Rules that span parameters (e.g. a CSV source needs a path); gets the merged parameters.
  Status (*check)(const WorkloadSpec& workload, const ParamMap& params);
};

std::span<const WorkloadType> WorkloadTypes();
const WorkloadType* FindWorkloadType(std::string_view name);
const ParamSchema* FindParam(const WorkloadType& type, std::string_view path);
const MetricSchema* FindMetric(const WorkloadType& type, std::string_view name);

}  // namespace lepton::spec
