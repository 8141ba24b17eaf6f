// Fuzzes the CSV reader of the linear-regression workload (numeric columns, y last), with and
// without a header line as the spec's dataset.header chooses.

#include <cstdint>
#include <sstream>
#include <string>

#include "bench/workloads/linear_regression/regression_sources.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  // The first byte picks the options; the rest is the file.
  const bool has_header = (data[0] & 1) != 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  lepton::bench::CsvSpec spec{"fuzz.csv", has_header, 0.2, std::nullopt};
  std::istringstream in(text);
  if (auto parsed = lepton::bench::ReadCsv(in, spec)) (void)lepton::bench::DataDigest(*parsed);
  return 0;
}
