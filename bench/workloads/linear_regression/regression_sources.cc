#include "bench/workloads/linear_regression/regression_sources.h"

#include <bit>
#include <charconv>
#include <cmath>
#include <fstream>
#include <random>

#include "conformance/core/sha256.h"

namespace lepton::bench {
namespace {

constexpr std::int64_t kMaxCsvRows = 100'000'000;
constexpr int kMaxCsvColumns = 4097;

// Uniform in (0, 1]: 53 random bits, never zero so log() is finite.
double UniformOpenClosed(std::mt19937_64& rng) {
  return static_cast<double>((rng() >> 11) + 1) * 0x1.0p-53;
}

// Standard normals by Marsaglia's polar method: pairs from one log and one sqrt, no trigonometry.
class NormalSource {
 public:
  explicit NormalSource(std::mt19937_64& rng) : rng_(rng) {}
  double Next() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u = 0;
    double v = 0;
    double s = 0;
    do {
      u = 2.0 * UniformOpenClosed(rng_) - 1.0;
      v = 2.0 * UniformOpenClosed(rng_) - 1.0;
      s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    const double factor = std::sqrt(-2.0 * std::log(s) / s);
    spare_ = v * factor;
    has_spare_ = true;
    return u * factor;
  }

 private:
  std::mt19937_64& rng_;
  double spare_ = 0;
  bool has_spare_ = false;
};

std::int64_t HoldoutRows(std::int64_t rows, double fraction) {
  return std::max<std::int64_t>(1, std::llround(static_cast<double>(rows) * fraction));
}

void SplitRows(std::vector<double>&& rows, std::int64_t holdout_rows, RegressionData& data) {
  const auto stride = static_cast<std::size_t>(data.stride());
  const std::size_t total = rows.size() / stride;
  data.train_rows = static_cast<std::int64_t>(total) - holdout_rows;
  data.holdout_rows = holdout_rows;
  data.holdout.assign(rows.end() - static_cast<std::ptrdiff_t>(holdout_rows * stride), rows.end());
  rows.resize(static_cast<std::size_t>(data.train_rows) * stride);
  data.train = std::move(rows);
}

}  // namespace

Result<RegressionData> GenerateSynthetic(const SyntheticSpec& spec) {
  if (spec.features < 1 || spec.rows < 16) {
    return std::unexpected(
        InvalidArgumentError("synthetic data needs >= 1 feature and >= 16 rows"));
  }
  RegressionData data;
  data.features = spec.features;
  std::mt19937_64 rng(spec.seed);
  const auto uniform_symmetric = [&] { return 2.0 * UniformOpenClosed(rng) - 1.0; };
  std::vector<double> truth(static_cast<std::size_t>(spec.features) + 1);
  const double intercept = uniform_symmetric();
  for (int j = 0; j < spec.features; ++j) truth[j] = uniform_symmetric();
  truth[spec.features] = intercept;

  NormalSource normal(rng);
  const auto stride = static_cast<std::size_t>(data.stride());
  std::vector<double> rows(static_cast<std::size_t>(spec.rows) * stride);
  for (std::int64_t i = 0; i < spec.rows; ++i) {
    double* row = rows.data() + static_cast<std::size_t>(i) * stride;
    double y = intercept;
    for (int j = 0; j < spec.features; ++j) {
      row[j] = normal.Next();
      y += truth[j] * row[j];
    }
    row[spec.features] = 1.0;
    row[spec.features + 1] = y + spec.noise_sigma * normal.Next();
  }
  data.true_coefficients = std::move(truth);
  SplitRows(std::move(rows), HoldoutRows(spec.rows, spec.holdout_fraction), data);
  if (data.train_rows < spec.features + 1) {
    return std::unexpected(InvalidArgumentError("fewer training rows than coefficients"));
  }
  return data;
}

Result<RegressionData> LoadCsv(const CsvSpec& spec) {
  std::ifstream in(spec.path);
  if (!in) return std::unexpected(NotFoundError(spec.path.string() + ": cannot open CSV file"));
  return ReadCsv(in, spec);
}

Result<RegressionData> ReadCsv(std::istream& in, const CsvSpec& spec) {
  const std::string name = spec.path.string();
  std::vector<double> rows;
  int columns = -1;
  std::string line;
  std::int64_t line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line_number == 1 && spec.has_header) continue;
    if (line.empty()) continue;
    int column = 0;
    std::size_t start = 0;
    while (true) {
      const std::size_t comma = line.find(',', start);
      const std::size_t end = comma == std::string::npos ? line.size() : comma;
      std::size_t begin = start;
      std::size_t stop = end;
      while (begin < stop && line[begin] == ' ') ++begin;
      while (stop > begin && line[stop - 1] == ' ') --stop;
      double value = 0;
      const auto [ptr, error] = std::from_chars(line.data() + begin, line.data() + stop, value);
      if (begin == stop || error != std::errc() || ptr != line.data() + stop ||
          !std::isfinite(value)) {
        return std::unexpected(InvalidArgumentError(
            name + ":" + std::to_string(line_number) + ":" + std::to_string(start + 1) +
            ": expected a finite number, found '" + line.substr(start, end - start) + "'"));
      }
      if (++column > kMaxCsvColumns) {
        return std::unexpected(ResourceExhaustedError(name + ":" + std::to_string(line_number) +
                                                      ": more than 4097 columns"));
      }
      rows.push_back(value);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    if (columns < 0) columns = column;
    if (column != columns) {
      return std::unexpected(InvalidArgumentError(
          name + ":" + std::to_string(line_number) + ": expected " + std::to_string(columns) +
          " columns like the first row, found " + std::to_string(column)));
    }
    if (columns < 2) {
      return std::unexpected(InvalidArgumentError(name + ":" + std::to_string(line_number) +
                                                  ": need at least one feature and y"));
    }
    // Insert the constant column before y: [x..., 1, y].
    rows.insert(rows.end() - 1, 1.0);
    if (line_number > kMaxCsvRows) {
      return std::unexpected(ResourceExhaustedError(name + ": more than 100,000,000 rows"));
    }
  }
  if (columns < 0) return std::unexpected(InvalidArgumentError(name + ": no data rows"));
  RegressionData data;
  data.features = columns - 1;
  const std::int64_t total = static_cast<std::int64_t>(rows.size()) / data.stride();
  if (spec.true_coefficients &&
      spec.true_coefficients->size() != static_cast<std::size_t>(columns)) {
    return std::unexpected(InvalidArgumentError(
        name + ": dataset.coefficients has " + std::to_string(spec.true_coefficients->size()) +
        " values; the file has " + std::to_string(data.features) +
        " features, so it needs features + 1 (intercept last)"));
  }
  data.true_coefficients = spec.true_coefficients;
  SplitRows(std::move(rows), HoldoutRows(total, spec.holdout_fraction), data);
  if (data.train_rows < data.features + 1) {
    return std::unexpected(InvalidArgumentError(name + ": fewer training rows (" +
                                                std::to_string(data.train_rows) +
                                                ") than coefficients"));
  }
  return data;
}

std::string DataDigest(const RegressionData& data) {
  static_assert(std::endian::native == std::endian::little, "digest defined on little-endian fp64");
  Sha256 hasher;
  hasher.Update(std::as_bytes(std::span(data.train)));
  hasher.Update(std::as_bytes(std::span(data.holdout)));
  return hasher.FinishHex();
}

}  // namespace lepton::bench
