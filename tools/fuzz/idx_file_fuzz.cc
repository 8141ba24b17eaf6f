// Fuzzes the IDX reader (MNIST's image and label files) on bytes in memory, with the default
// limits a dataset file gets.

#include <cstdint>
#include <string_view>

#include "conformance/checks/idx_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (auto array = lepton::checks::ParseIdx(bytes, "fuzz.idx")) {
    (void)lepton::checks::IdxContentSha256(*array);
  }
  return 0;
}
