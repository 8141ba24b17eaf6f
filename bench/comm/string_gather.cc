#include "bench/comm/string_gather.h"

#include <cstdint>
#include <cstring>

namespace lepton::bench {

Result<std::vector<std::string>> AllGatherStrings(Communicator& communicator, std::string_view mine,
                                                  std::size_t max_bytes) {
  // One word for the length, then the bytes rounded up to whole words.
  const std::size_t words = 1 + (max_bytes + sizeof(std::int64_t) - 1) / sizeof(std::int64_t);
  const std::string_view cut = mine.substr(0, max_bytes);
  std::vector<std::int64_t> packed(words, 0);
  packed[0] = static_cast<std::int64_t>(cut.size());
  std::memcpy(packed.data() + 1, cut.data(), cut.size());
  const auto ranks = static_cast<std::size_t>(communicator.size());
  std::vector<std::int64_t> all(words * ranks, 0);
  LEPTON_RETURN_IF_ERROR(
      communicator.AllGather(packed.data(), all.data(), words, DataType::kInt64));
  std::vector<std::string> strings(ranks);
  for (std::size_t r = 0; r < ranks; ++r) {
    const std::int64_t* slot = all.data() + r * words;
    if (slot[0] < 0 || static_cast<std::size_t>(slot[0]) > max_bytes) {
      return std::unexpected(InternalError("rank " + std::to_string(r) +
                                           " sent a string of length " + std::to_string(slot[0]) +
                                           " (at most " + std::to_string(max_bytes) + ")"));
    }
    strings[r].assign(reinterpret_cast<const char*>(slot + 1), static_cast<std::size_t>(slot[0]));
  }
  return strings;
}

}  // namespace lepton::bench
