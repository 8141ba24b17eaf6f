#pragma once
// Every rank's string on every rank, over any Communicator (its AllGather moves numbers only):
// each string is cut to `max_bytes` and packed into int64 words. Used for the ranks' hostnames
// (node_layout.h) and, in the CUDA module, for each rank's reason when NCCL cannot be set up.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "bench/api/communicator.h"
#include "conformance/core/status.h"

namespace lepton::bench {

// Collective: every rank calls it with the same `max_bytes`. Result[r] is rank r's string.
Result<std::vector<std::string>> AllGatherStrings(Communicator& communicator, std::string_view mine,
                                                  std::size_t max_bytes);

}  // namespace lepton::bench
