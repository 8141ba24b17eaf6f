#include <gtest/gtest.h>

#include <set>
#include <string_view>

#include "bench/api/workload.h"
#include "conformance/spec/workload_types.h"

namespace lepton::bench {
namespace {

// A type the spec declares but nothing implements would pass `spec check` and then be
// unavailable on every machine; a type implemented but not declared could never be named by a
// spec. Both directions, so neither list can drift from the other.
TEST(WorkloadRegistryTest, NamesTheSpecsWorkloadTypesBothWays) {
  std::set<std::string_view> declared;
  for (const spec::WorkloadType& type : spec::WorkloadTypes()) declared.insert(type.name);
  std::set<std::string_view> implemented;
  for (const std::string_view type : ImplementedWorkloadTypes()) {
    EXPECT_TRUE(implemented.insert(type).second) << "registered twice: " << type;
  }
  for (const std::string_view type : declared) {
    EXPECT_TRUE(implemented.contains(type)) << "declared in the spec, no factory: " << type;
  }
  for (const std::string_view type : implemented) {
    EXPECT_TRUE(declared.contains(type)) << "a factory the spec does not declare: " << type;
  }
  EXPECT_FALSE(declared.empty());
}

// Every registered type makes a workload on the CPU, the device every build has.
TEST(WorkloadRegistryTest, EveryTypeHasACpuImplementation) {
  for (const std::string_view type : ImplementedWorkloadTypes()) {
    auto workload = CreateWorkload(type, "cpu");
    ASSERT_TRUE(workload.has_value()) << type << ": " << workload.error().ToString();
    EXPECT_NE(*workload, nullptr) << type;
  }
  auto unknown = CreateWorkload("no_such_type", "cpu");
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace lepton::bench
