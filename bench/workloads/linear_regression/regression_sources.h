#pragma once
// Where the linear-regression workload's rows come from: the documented synthetic generator with
// known coefficients, or a numeric CSV file; both fill bench/models/regression_data.h's layout.

#include <cstdint>
#include <filesystem>
#include <istream>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "bench/models/regression_data.h"
#include "conformance/core/status.h"

namespace lepton::bench {

struct SyntheticSpec {
  std::int64_t rows = 0;  // training + holdout
  int features = 0;
  double noise_sigma = 0;
  double holdout_fraction = 0;
  std::uint64_t seed = 0;
};

// Documented generator (spec/README.md): std::mt19937_64(seed) draws, in this order, the
// intercept and weights uniform in [-1, 1), then per row d standard normal features and one
// standard normal noise term (Marsaglia's polar method on 53-bit uniforms), y = w.x + b +
// sigma * noise.
// The last round(rows * holdout_fraction) rows are held out.
Result<RegressionData> GenerateSynthetic(const SyntheticSpec& spec);

struct CsvSpec {
  std::filesystem::path path;
  bool has_header = false;
  double holdout_fraction = 0;
  std::optional<std::vector<double>> true_coefficients;
};

// Numeric CSV, y in the last column. Errors name path:line:column.
Result<RegressionData> LoadCsv(const CsvSpec& spec);
// The same from an open stream (spec.path only names it in errors); used by LoadCsv and fuzzing.
Result<RegressionData> ReadCsv(std::istream& in, const CsvSpec& spec);

// SHA-256 of the training then holdout rows as little-endian fp64 in the layout above.
std::string DataDigest(const RegressionData& data);

}  // namespace lepton::bench
