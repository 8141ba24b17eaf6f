#pragma once
// TEST ONLY: every collective, placement and data type the backends must get exactly right, as
// one GoogleTest parameter set with readable names ("allreduce_in_place_bf16"), shared by the
// one-rank tests and the MPI ones under mpirun.

#include <gtest/gtest.h>

#include <string>
#include <tuple>

#include "bench/workloads/collectives/collective_ops.h"

namespace lepton::bench {

using CollectiveCaseParam = std::tuple<CollectiveKind, bool, DataType>;  // kind, in place, type

inline auto EveryCollectiveCase() {
  return ::testing::Combine(::testing::ValuesIn(AllCollectives().begin(), AllCollectives().end()),
                            ::testing::Bool(),
                            ::testing::Values(DataType::kFloat32, DataType::kBfloat16));
}

inline std::string CollectiveCaseName(const ::testing::TestParamInfo<CollectiveCaseParam>& info) {
  const auto& [kind, in_place, type] = info.param;
  return std::string(CollectiveName(kind)) + (in_place ? "_in_place_" : "_out_of_place_") +
         std::string(DataTypeName(type));
}

}  // namespace lepton::bench
