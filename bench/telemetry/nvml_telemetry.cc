#include "bench/telemetry/nvml_telemetry.h"

#include <vector>

#include "conformance/checks/nvml_library.h"

namespace lepton::bench {
namespace {

using checks::kNvmlSuccess;
using checks::NvmlClock;
using checks::NvmlEccError;
using checks::NvmlLibrary;
using checks::NvmlPcieCounter;
using checks::NvmlU64;
using checks::NvmlUtilization;

void Put(GpuReading& gpu, checks::TelemetryField field, const NvmlLibrary& nvml, int code,
         double value) {
  const auto index = static_cast<std::size_t>(field);
  if (code == kNvmlSuccess) {
    gpu.values[index] = value;
  } else {
    gpu.why_not[index] = nvml.Describe(code);
  }
}

GpuReading ReadGpu(const NvmlLibrary& nvml, NvmlLibrary::Device device) {
  GpuReading gpu;
  unsigned int value = 0;
  int code = nvml.ClockMhz(device, NvmlClock::kSm, &value);
  Put(gpu, checks::TelemetryField::kSmClockMhz, nvml, code, value);
  code = nvml.ClockMhz(device, NvmlClock::kMemory, &value);
  Put(gpu, checks::TelemetryField::kMemoryClockMhz, nvml, code, value);
  code = nvml.TemperatureCelsius(device, &value);
  Put(gpu, checks::TelemetryField::kTemperatureC, nvml, code, value);
  code = nvml.PowerMilliwatts(device, &value);
  Put(gpu, checks::TelemetryField::kPowerW, nvml, code, value * 1e-3);
  NvmlUtilization utilization{};
  code = nvml.Utilization(device, &utilization);
  Put(gpu, checks::TelemetryField::kGpuUtilization, nvml, code, utilization.gpu);
  Put(gpu, checks::TelemetryField::kMemoryUtilization, nvml, code, utilization.memory);
  NvmlU64 count = 0;
  code = nvml.VolatileEccErrors(device, NvmlEccError::kCorrected, &count);
  Put(gpu, checks::TelemetryField::kEccCorrected, nvml, code, static_cast<double>(count));
  code = nvml.VolatileEccErrors(device, NvmlEccError::kUncorrected, &count);
  Put(gpu, checks::TelemetryField::kEccUncorrected, nvml, code, static_cast<double>(count));
  // NVML counts KB/s over its last 20 ms; shown in MB/s.
  code = nvml.PcieThroughputKBps(device, NvmlPcieCounter::kTxBytes, &value);
  Put(gpu, checks::TelemetryField::kPcieTxMBps, nvml, code, value * 1e-3);
  code = nvml.PcieThroughputKBps(device, NvmlPcieCounter::kRxBytes, &value);
  Put(gpu, checks::TelemetryField::kPcieRxMBps, nvml, code, value * 1e-3);
  NvmlU64 reasons = 0;
  if (code = nvml.ClocksEventReasons(device, &reasons); code == kNvmlSuccess) {
    gpu.event_reasons = reasons;
  } else {
    gpu.event_reasons_why_not = nvml.Describe(code);
  }
  return gpu;
}

}  // namespace

Result<std::unique_ptr<PolledTelemetrySampler>> OpenNvmlTelemetrySampler(
    const NvmlTelemetryOptions& options) {
  LEPTON_ASSIGN_OR_RETURN(std::shared_ptr<NvmlLibrary> nvml,
                          NvmlLibrary::Load(options.library, {}, "the telemetry sampler"));
  LEPTON_ASSIGN_OR_RETURN(std::vector<NvmlLibrary::Device> gpus, nvml->Devices());
  if (gpus.empty()) return std::unexpected(UnavailableError("NVML enumerates no GPU"));
  const std::string source = nvml->path() + " (driver " + nvml->DriverVersion() + ")";
  auto reader = [nvml, gpus]() -> Result<TelemetryReading> {
    TelemetryReading reading;
    for (NvmlLibrary::Device device : gpus) reading.gpus.push_back(ReadGpu(*nvml, device));
    return reading;
  };
  return std::make_unique<PolledTelemetrySampler>(source, options.sample_hz, std::move(reader));
}

}  // namespace lepton::bench
