#include "bench/energy/nvml_meter.h"

#include <array>
#include <string_view>
#include <vector>

#include "bench/energy/polled_meter.h"
#include "conformance/checks/nvml_library.h"

namespace lepton::bench {
namespace {

using checks::kNvmlErrorNotSupported;
using checks::kNvmlSuccess;
using checks::kNvmlSymbolMissing;
using checks::NvmlLibrary;
using checks::NvmlMillijoules;

// Power samples need only nvmlDeviceGetPowerUsage; the energy counter is used where the driver
// exports it (an old driver that lacks it is sampled).
constexpr std::array<std::string_view, 1> kMeterNeeds = {"nvmlDeviceGetPowerUsage"};

// NVML documents power as averaged over about 1 s on Ampere and newer (except GA100) and does
// not document the energy counter's update period; both are taken to resolve 1 s.
constexpr double kNvmlResolutionSeconds = 1.0;

std::string GpuName(std::size_t index) { return "gpu" + std::to_string(index); }

// Whether every GPU supports the counter; an error other than NOT_SUPPORTED is the caller's.
Result<bool> CounterSupported(const NvmlLibrary& nvml, const std::vector<NvmlLibrary::Device>& gpus,
                              std::string& why_not) {
  for (std::size_t i = 0; i < gpus.size(); ++i) {
    NvmlMillijoules millijoules = 0;
    const int code = nvml.TotalEnergyMillijoules(gpus[i], &millijoules);
    if (code == kNvmlErrorNotSupported || code == kNvmlSymbolMissing) {
      why_not = "the total-energy counter is not supported on " + GpuName(i) + " (" +
                nvml.Describe(code) + ")";
      return false;
    }
    if (code != kNvmlSuccess) {
      return std::unexpected(UnavailableError("nvmlDeviceGetTotalEnergyConsumption(" + GpuName(i) +
                                              ") failed: " + nvml.Describe(code)));
    }
  }
  return true;
}

Result<double> ReadTotalJoules(const NvmlLibrary& nvml,
                               const std::vector<NvmlLibrary::Device>& gpus) {
  NvmlMillijoules total = 0;
  for (std::size_t i = 0; i < gpus.size(); ++i) {
    NvmlMillijoules millijoules = 0;
    if (const int code = nvml.TotalEnergyMillijoules(gpus[i], &millijoules); code != kNvmlSuccess) {
      return std::unexpected(UnavailableError("nvmlDeviceGetTotalEnergyConsumption(" + GpuName(i) +
                                              ") failed: " + nvml.Describe(code)));
    }
    total += millijoules;
  }
  return static_cast<double>(total) * 1e-3;
}

Result<double> ReadTotalWatts(const NvmlLibrary& nvml,
                              const std::vector<NvmlLibrary::Device>& gpus) {
  NvmlMillijoules total = 0;
  for (std::size_t i = 0; i < gpus.size(); ++i) {
    unsigned int milliwatts = 0;
    if (const int code = nvml.PowerMilliwatts(gpus[i], &milliwatts); code != kNvmlSuccess) {
      const std::string what = code == kNvmlErrorNotSupported
                                   ? "power readings are not supported on "
                                   : "nvmlDeviceGetPowerUsage failed on ";
      return std::unexpected(UnavailableError(what + GpuName(i) + ": " + nvml.Describe(code)));
    }
    total += milliwatts;
  }
  return static_cast<double>(total) * 1e-3;
}

}  // namespace

Result<std::unique_ptr<EnergyMeter>> OpenNvmlMeter(const NvmlOptions& options) {
  LEPTON_ASSIGN_OR_RETURN(std::shared_ptr<NvmlLibrary> nvml,
                          NvmlLibrary::Load(options.library, kMeterNeeds, "the energy meter"));
  LEPTON_ASSIGN_OR_RETURN(std::vector<NvmlLibrary::Device> gpus, nvml->Devices());
  if (gpus.empty()) return std::unexpected(UnavailableError("NVML enumerates no GPU"));

  std::string counter_absent;
  bool use_counter = false;
  if (options.mode == NvmlMode::kCounterElseSampled) {
    LEPTON_ASSIGN_OR_RETURN(use_counter, CounterSupported(*nvml, gpus, counter_absent));
  } else {
    counter_absent = "power samples requested (--energy nvml-sampled)";
  }
  if (!use_counter) {
    // Fails now, with NVML's words, rather than at the first window.
    if (auto probe = ReadTotalWatts(*nvml, gpus); !probe) {
      return std::unexpected(UnavailableError(
          probe.error().message() +
          (options.mode == NvmlMode::kCounterElseSampled ? "; and " + counter_absent : "")));
    }
  }

  MeterInfo info;
  info.name = "nvml";
  for (std::size_t i = 0; i < gpus.size(); ++i) info.domains.push_back(GpuName(i));
  info.source = nvml->path() + " (driver " + nvml->DriverVersion() + ")";
  info.sample_hz = options.sample_hz;
  info.resolution_s = kNvmlResolutionSeconds;
  info.limits =
      "the GPU boards only (every GPU NVML enumerates, summed): not the host CPU, memory, disks "
      "or power-supply losses";
  PolledMeter::Reader reader;
  TraceKind kind = TraceKind::kWatts;
  if (use_counter) {
    info.tier = spec::EnergyTier::kOnDieCounter;
    info.method =
        "nvmlDeviceGetTotalEnergyConsumption polled on a thread, a window's energy the counter "
        "interpolated linearly at its edges (the counter's update period is undocumented, so "
        "driver calls at every step's edges would add cost, not information)";
    kind = TraceKind::kCumulativeJoules;
    reader = [nvml, gpus]() { return ReadTotalJoules(*nvml, gpus); };
  } else {
    info.tier = spec::EnergyTier::kOnDieSampled;
    info.method =
        "nvmlDeviceGetPowerUsage sampled on a thread and integrated over the timed "
        "windows by the trapezoidal rule (" +
        counter_absent +
        "); the GPU averages power over about 1 s, so windows shorter than that mix in "
        "neighbouring untimed work";
    reader = [nvml, gpus]() { return ReadTotalWatts(*nvml, gpus); };
  }
  return std::make_unique<PolledMeter>(std::move(info), kind, EdgeReads::kInterpolated,
                                       std::move(reader), options.max_gap_s);
}

}  // namespace lepton::bench
