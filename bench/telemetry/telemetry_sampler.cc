#include "bench/telemetry/telemetry_sampler.h"

#include <algorithm>
#include <chrono>
#include <map>

namespace lepton::bench {

PolledTelemetrySampler::PolledTelemetrySampler(std::string source, double sample_hz, Reader reader)
    : source_(std::move(source)), sample_hz_(sample_hz), reader_(std::move(reader)) {}

void PolledTelemetrySampler::SampleNow() {
  const std::lock_guard lock(mutex_);
  auto reading = reader_();
  if (!reading) {
    if (failure_.ok()) failure_ = reading.error();
    return;
  }
  readings_.push_back(std::move(*reading));
}

Status PolledTelemetrySampler::Start() {
  thread_.Stop();
  {
    const std::lock_guard lock(mutex_);
    readings_.clear();
    failure_ = OkStatus();
  }
  SampleNow();
  {
    const std::lock_guard lock(mutex_);
    if (readings_.empty()) return failure_;
  }
  if (sample_hz_ > 0) {
    const auto period = std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::duration<double>(1.0 / sample_hz_));
    thread_.Start(period, [this] { SampleNow(); });
  }
  return OkStatus();
}

TelemetryRegion PolledTelemetrySampler::Stop() {
  thread_.Stop();
  SampleNow();
  const std::lock_guard lock(mutex_);
  TelemetryRegion region;
  region.source = source_;
  region.sample_hz = sample_hz_;
  region.readings = std::move(readings_);
  readings_.clear();
  if (region.readings.empty()) {
    region.not_measured_reason =
        failure_.ok() ? "no telemetry reading in the region" : failure_.message();
  }
  return region;
}

namespace {

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

// One GPU's readings over every region, gathered field by field.
struct GpuPool {
  std::array<std::vector<double>, checks::kTelemetryFieldCount> values;
  std::array<std::string, checks::kTelemetryFieldCount> why_not;  // the first reason seen
  std::int64_t reason_samples = 0;
  std::map<std::uint64_t, std::int64_t> reason_bits;  // bit -> readings with it set
  std::string reasons_why_not;
};

void Pool(const TelemetryRegion& region, std::vector<GpuPool>& pools) {
  std::vector<std::array<std::optional<double>, checks::kTelemetryFieldCount>> first;
  for (const TelemetryReading& reading : region.readings) {
    if (pools.size() < reading.gpus.size()) pools.resize(reading.gpus.size());
    if (first.size() < reading.gpus.size()) first.resize(reading.gpus.size());
    for (std::size_t g = 0; g < reading.gpus.size(); ++g) {
      const GpuReading& gpu = reading.gpus[g];
      GpuPool& pool = pools[g];
      for (std::size_t f = 0; f < checks::kTelemetryFieldCount; ++f) {
        if (!gpu.values[f]) {
          if (pool.why_not[f].empty()) pool.why_not[f] = gpu.why_not[f];
          continue;
        }
        double value = *gpu.values[f];
        if (checks::kTelemetryFields[f].counter) {
          if (!first[g][f]) first[g][f] = value;
          value -= *first[g][f];
        }
        pool.values[f].push_back(value);
      }
      if (!gpu.event_reasons) {
        if (pool.reasons_why_not.empty()) pool.reasons_why_not = gpu.event_reasons_why_not;
        continue;
      }
      ++pool.reason_samples;
      for (int bit = 0; bit < 64; ++bit) {
        const std::uint64_t mask = std::uint64_t{1} << bit;
        if ((*gpu.event_reasons & mask) != 0) ++pool.reason_bits[mask];
      }
    }
  }
}

}  // namespace

TelemetrySummary SummarizeTelemetry(std::span<const TelemetryRegion> regions) {
  TelemetrySummary summary;
  summary.regions = static_cast<std::int64_t>(regions.size());
  std::vector<GpuPool> pools;
  for (const TelemetryRegion& region : regions) {
    if (summary.source.empty()) summary.source = region.source;
    if (summary.sample_hz == 0) summary.sample_hz = region.sample_hz;
    if (region.readings.empty() && summary.not_measured_reason.empty()) {
      summary.not_measured_reason = region.not_measured_reason;
    }
    Pool(region, pools);
  }
  if (pools.empty()) {
    if (summary.not_measured_reason.empty()) summary.not_measured_reason = "no timed region";
    return summary;
  }
  // Some regions were read: the summary stands for those, and the reason of one that was not
  // would only confuse it.
  summary.not_measured_reason.clear();
  for (std::size_t g = 0; g < pools.size(); ++g) {
    const GpuPool& pool = pools[g];
    GpuTelemetry gpu;
    gpu.device = "gpu" + std::to_string(g);
    for (std::size_t f = 0; f < checks::kTelemetryFieldCount; ++f) {
      TelemetryFieldSummary field;
      field.name = std::string(checks::kTelemetryFields[f].name);
      field.unit = std::string(checks::kTelemetryFields[f].unit);
      const std::vector<double>& values = pool.values[f];
      field.samples = static_cast<std::int64_t>(values.size());
      if (values.empty()) {
        field.not_measured_reason = pool.why_not[f].empty() ? "not read" : pool.why_not[f];
      } else {
        field.min = *std::min_element(values.begin(), values.end());
        field.max = *std::max_element(values.begin(), values.end());
        field.median = Median(values);
      }
      gpu.fields.push_back(std::move(field));
    }
    gpu.reason_samples = pool.reason_samples;
    if (pool.reason_samples == 0) {
      gpu.throttle_not_measured_reason =
          pool.reasons_why_not.empty() ? "not read" : pool.reasons_why_not;
    }
    for (const auto& [mask, count] : pool.reason_bits) {
      ThrottleReasonSeen seen;
      seen.name = checks::DecodeClocksEventReasons(mask).front();
      seen.samples = count;
      seen.share = static_cast<double>(count) / static_cast<double>(pool.reason_samples);
      gpu.throttle_reasons.push_back(std::move(seen));
      if ((mask & checks::kThermalOrPowerReasons) != 0) gpu.thermal_or_power_throttled = true;
    }
    summary.thermal_or_power_throttled |= gpu.thermal_or_power_throttled;
    summary.gpus.push_back(std::move(gpu));
  }
  return summary;
}

}  // namespace lepton::bench
