#pragma once
// TEST ONLY: every collective, placement and data type the backends must get exactly right, as
// one GoogleTest parameter set with readable names ("allreduce_in_place_bf16"), shared by the
// one-rank tests and the MPI ones under mpirun; and the collectives workload's parameters for a
// sweep of all of them, shared by the device and group workload tests.

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "bench/api/workload.h"
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

// Every collective in both placements from 4 B to `max_bytes` in `dtypes`, one warm-up call and
// two timed ones per size: small enough for a unit test, every case still checked exactly.
inline std::map<std::string, spec::ParamValue> EveryCollectiveSweepParams(
    std::int64_t max_bytes, std::vector<std::string> dtypes) {
  std::vector<std::string> ops;
  for (CollectiveKind kind : AllCollectives()) ops.emplace_back(CollectiveName(kind));
  return {
      {"ops", ops},
      {"placements", std::vector<std::string>{"out_of_place", "in_place"}},
      {"min_bytes", std::int64_t{4}},
      {"max_bytes", max_bytes},
      {"dtypes", std::move(dtypes)},
      {"warmup_iters", std::int64_t{1}},
      {"iters", std::int64_t{2}},
  };
}

}  // namespace lepton::bench
