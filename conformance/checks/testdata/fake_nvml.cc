// A stand-in for libnvidia-ml.so.1 exporting the NVML functions the energy meter and the GPU
// probe use, by the same C ABI, so their tests exercise the real dlopen path without a GPU.
// Every GPU draws a constant power (fake_nvml_set_power_mw) and its energy counter advances
// with the steady clock at that power, so a window's energy is known. Exported fake_nvml_*
// functions script failures.
//
// The probe's facts differ per device so a test can tell them apart (see FakeFacts below):
// device i sits at PCI bus 0x1B + 0x11 i; device 0 has MIG disabled and 18 active NVLinks,
// device 1 MIG enabled and 17 of 18 links active, devices 2 and up neither MIG nor NVLink.
//
// The telemetry sampler's reads (clocks, temperature, utilisation, clocks event reasons, ECC
// counts, PCIe throughput) answer each device's current state, which a test scripts one field at
// a time with fake_nvml_set_sample and then reads on demand: no timing involved.
//
// Built twice: as is, and with LEPTON_FAKE_NVML_OLD_DRIVER, a driver that predates MIG
// (nvmlDeviceGetMigMode), nvmlDeviceGetPciInfo_v3, the default power limit query, the energy
// counter, PCIe throughput and the R535 name nvmlDeviceGetCurrentClocksEventReasons (it exports
// the older nvmlDeviceGetCurrentClocksThrottleReasons), so callers' handling of missing symbols
// is tested.

#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <string>

namespace {

using Millijoules = unsigned long long;  // NOLINT(google-runtime-int): NVML's ABI type

struct FakeGpu {
  int id;
};

using U64 = unsigned long long;  // NOLINT(google-runtime-int): NVML's ABI type

// One device's telemetry as the next read sees it; idle values by default.
struct FakeSample {
  unsigned int sm_clock_mhz = 345;
  unsigned int memory_clock_mhz = 2619;
  unsigned int temperature_c = 34;
  unsigned int gpu_util = 0;
  unsigned int memory_util = 0;
  U64 clocks_event_reasons = 0x1;  // GpuIdle
  U64 ecc_corrected = 0;
  U64 ecc_uncorrected = 0;
  unsigned int pcie_tx_kbps = 0;
  unsigned int pcie_rx_kbps = 0;
};

std::mutex g_mutex;
unsigned int g_device_count = 1;
unsigned int g_power_mw = 250000;
std::map<std::string, int> g_failures;  // function name -> the code it returns
std::map<std::string, int> g_calls;
FakeGpu g_gpus[8] = {{0}, {1}, {2}, {3}, {4}, {5}, {6}, {7}};
FakeSample g_samples[8];
const auto g_loaded = std::chrono::steady_clock::now();

// nvmlPciInfo_t (nvml.h), the layout the probe declares on its side.
struct PciInfo {
  char bus_id_legacy[16];
  unsigned int domain;
  unsigned int bus;
  unsigned int device;
  unsigned int pci_device_id;
  unsigned int pci_subsystem_id;
  char bus_id[32];
};

int Index(const void* device) { return static_cast<const FakeGpu*>(device)->id; }

int CopyText(const char* text, char* buffer, unsigned int length) {
  const std::size_t bytes = std::strlen(text) + 1;
  if (length < bytes) return 7;  // NVML_ERROR_INSUFFICIENT_SIZE
  std::memcpy(buffer, text, bytes);
  return 0;
}

// The code `function` returns now, counting the call.
int Outcome(const char* function) {
  const std::lock_guard lock(g_mutex);
  ++g_calls[function];
  auto it = g_failures.find(function);
  return it == g_failures.end() ? 0 : it->second;
}

}  // namespace

extern "C" {

// Knobs for the test -------------------------------------------------------------------------
void fake_nvml_reset() {
  const std::lock_guard lock(g_mutex);
  g_device_count = 1;
  g_power_mw = 250000;
  g_failures.clear();
  g_calls.clear();
  for (FakeSample& sample : g_samples) sample = FakeSample{};
}
void fake_nvml_set_device_count(unsigned int count) {
  const std::lock_guard lock(g_mutex);
  g_device_count = count < 8 ? count : 8;
}
void fake_nvml_set_power_mw(unsigned int milliwatts) {
  const std::lock_guard lock(g_mutex);
  g_power_mw = milliwatts;
}
// From now on `function` returns `code` (0 restores success).
void fake_nvml_fail(const char* function, int code) {
  const std::lock_guard lock(g_mutex);
  g_failures[function] = code;
}
// Sets `field` of device `device`'s state (names as FakeSample's members); returns 0, or -1 for
// an unknown field or device.
int fake_nvml_set_sample(unsigned int device, const char* field, U64 value) {
  const std::lock_guard lock(g_mutex);
  if (device >= 8) return -1;
  FakeSample& sample = g_samples[device];
  const std::string name = field;
  const auto narrow = static_cast<unsigned int>(value);
  if (name == "sm_clock_mhz") {
    sample.sm_clock_mhz = narrow;
  } else if (name == "memory_clock_mhz") {
    sample.memory_clock_mhz = narrow;
  } else if (name == "temperature_c") {
    sample.temperature_c = narrow;
  } else if (name == "gpu_util") {
    sample.gpu_util = narrow;
  } else if (name == "memory_util") {
    sample.memory_util = narrow;
  } else if (name == "clocks_event_reasons") {
    sample.clocks_event_reasons = value;
  } else if (name == "ecc_corrected") {
    sample.ecc_corrected = value;
  } else if (name == "ecc_uncorrected") {
    sample.ecc_uncorrected = value;
  } else if (name == "pcie_tx_kbps") {
    sample.pcie_tx_kbps = narrow;
  } else if (name == "pcie_rx_kbps") {
    sample.pcie_rx_kbps = narrow;
  } else {
    return -1;
  }
  return 0;
}
int fake_nvml_calls(const char* function) {
  const std::lock_guard lock(g_mutex);
  return g_calls[function];
}

// NVML's ABI ---------------------------------------------------------------------------------
int nvmlInit_v2() { return Outcome("nvmlInit_v2"); }
int nvmlShutdown() { return Outcome("nvmlShutdown"); }

int nvmlDeviceGetCount_v2(unsigned int* count) {
  if (const int code = Outcome("nvmlDeviceGetCount_v2"); code != 0) return code;
  const std::lock_guard lock(g_mutex);
  *count = g_device_count;
  return 0;
}

int nvmlDeviceGetHandleByIndex_v2(unsigned int index, void** device) {
  if (const int code = Outcome("nvmlDeviceGetHandleByIndex_v2"); code != 0) return code;
  if (index >= 8) return 2;  // NVML_ERROR_INVALID_ARGUMENT
  *device = &g_gpus[index];
  return 0;
}

#ifndef LEPTON_FAKE_NVML_OLD_DRIVER
int nvmlDeviceGetTotalEnergyConsumption(void* /*device*/, Millijoules* millijoules) {
  if (const int code = Outcome("nvmlDeviceGetTotalEnergyConsumption"); code != 0) return code;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - g_loaded).count();
  const std::lock_guard lock(g_mutex);
  // Starts far from zero, as a counter since the driver loaded does.
  *millijoules = 5'000'000ULL + static_cast<Millijoules>(seconds * g_power_mw);
  return 0;
}
#endif  // LEPTON_FAKE_NVML_OLD_DRIVER

int nvmlDeviceGetPowerUsage(void* /*device*/, unsigned int* milliwatts) {
  if (const int code = Outcome("nvmlDeviceGetPowerUsage"); code != 0) return code;
  const std::lock_guard lock(g_mutex);
  *milliwatts = g_power_mw;
  return 0;
}

const char* nvmlErrorString(int code) {
  switch (code) {
    case 0:
      return "Success";
    case 2:
      return "Invalid Argument";
    case 3:
      return "Not Supported";
    case 4:
      return "Insufficient Permissions";
    case 7:
      return "Insufficient Size";
    case 9:
      return "Driver Not Loaded";
    case 15:
      return "GPU is lost";
    default:
      return "Unknown Error";
  }
}

int nvmlSystemGetDriverVersion(char* version, unsigned int length) {
  return CopyText("999.99-fake", version, length);
}

int nvmlSystemGetNVMLVersion(char* version, unsigned int length) {
  if (const int code = Outcome("nvmlSystemGetNVMLVersion"); code != 0) return code;
  return CopyText("99.999.99-fake", version, length);
}

// The GPU probe's queries ---------------------------------------------------------------------
int nvmlDeviceGetName(void* /*device*/, char* name, unsigned int length) {
  if (const int code = Outcome("nvmlDeviceGetName"); code != 0) return code;
  return CopyText("Fake H100 80GB HBM3", name, length);
}

int nvmlDeviceGetUUID(void* device, char* uuid, unsigned int length) {
  if (const int code = Outcome("nvmlDeviceGetUUID"); code != 0) return code;
  char text[96];
  std::snprintf(text, sizeof(text), "GPU-fa4e0000-0000-0000-0000-%012d", Index(device));
  return CopyText(text, uuid, length);
}

#ifndef LEPTON_FAKE_NVML_OLD_DRIVER
int nvmlDeviceGetPciInfo_v3(void* device, PciInfo* pci) {
  if (const int code = Outcome("nvmlDeviceGetPciInfo_v3"); code != 0) return code;
  const unsigned int bus = 0x1B + 0x11 * static_cast<unsigned int>(Index(device));
  *pci = PciInfo{};
  std::snprintf(pci->bus_id_legacy, sizeof(pci->bus_id_legacy), "0000:%02X:00.0", bus);
  pci->domain = 0;
  pci->bus = bus;
  pci->device = 0;
  pci->pci_device_id = 0x233010DE;
  pci->pci_subsystem_id = 0x16C110DE;
  std::snprintf(pci->bus_id, sizeof(pci->bus_id), "00000000:%02X:00.0", bus);
  return 0;
}

int nvmlDeviceGetMigMode(void* device, unsigned int* current, unsigned int* pending) {
  if (const int code = Outcome("nvmlDeviceGetMigMode"); code != 0) return code;
  if (Index(device) >= 2) return 3;       // NVML_ERROR_NOT_SUPPORTED: no MIG on this GPU
  *current = Index(device) == 1 ? 1 : 0;  // NVML_DEVICE_MIG_ENABLE on device 1
  *pending = *current;
  return 0;
}

int nvmlDeviceGetPowerManagementDefaultLimit(void* /*device*/, unsigned int* milliwatts) {
  if (const int code = Outcome("nvmlDeviceGetPowerManagementDefaultLimit"); code != 0) return code;
  *milliwatts = 700000;
  return 0;
}
#endif  // LEPTON_FAKE_NVML_OLD_DRIVER

int nvmlDeviceGetPersistenceMode(void* device, int* mode) {
  if (const int code = Outcome("nvmlDeviceGetPersistenceMode"); code != 0) return code;
  *mode = Index(device) < 2 ? 1 : 0;
  return 0;
}

int nvmlDeviceGetEnforcedPowerLimit(void* /*device*/, unsigned int* milliwatts) {
  if (const int code = Outcome("nvmlDeviceGetEnforcedPowerLimit"); code != 0) return code;
  *milliwatts = 650000;
  return 0;
}

int nvmlDeviceGetPowerManagementLimitConstraints(void* /*device*/, unsigned int* low,
                                                 unsigned int* high) {
  if (const int code = Outcome("nvmlDeviceGetPowerManagementLimitConstraints"); code != 0)
    return code;
  *low = 200000;
  *high = 700000;
  return 0;
}

int nvmlDeviceGetCurrPcieLinkGeneration(void* /*device*/, unsigned int* generation) {
  if (const int code = Outcome("nvmlDeviceGetCurrPcieLinkGeneration"); code != 0) return code;
  *generation = 4;  // the link trains down while idle
  return 0;
}

int nvmlDeviceGetMaxPcieLinkGeneration(void* /*device*/, unsigned int* generation) {
  if (const int code = Outcome("nvmlDeviceGetMaxPcieLinkGeneration"); code != 0) return code;
  *generation = 5;
  return 0;
}

int nvmlDeviceGetCurrPcieLinkWidth(void* /*device*/, unsigned int* lanes) {
  if (const int code = Outcome("nvmlDeviceGetCurrPcieLinkWidth"); code != 0) return code;
  *lanes = 16;
  return 0;
}

int nvmlDeviceGetMaxPcieLinkWidth(void* /*device*/, unsigned int* lanes) {
  if (const int code = Outcome("nvmlDeviceGetMaxPcieLinkWidth"); code != 0) return code;
  *lanes = 16;
  return 0;
}

int nvmlDeviceGetNvLinkState(void* device, unsigned int link, int* active) {
  if (const int code = Outcome("nvmlDeviceGetNvLinkState"); code != 0) return code;
  if (Index(device) >= 2) return 3;  // NVML_ERROR_NOT_SUPPORTED: a PCIe-only GPU
  if (link >= 18) return 2;          // NVML_ERROR_INVALID_ARGUMENT
  *active = Index(device) == 1 && link == 5 ? 0 : 1;
  return 0;
}

int nvmlDeviceGetClockInfo(void* device, int type, unsigned int* mhz) {
  if (const int code = Outcome("nvmlDeviceGetClockInfo"); code != 0) return code;
  const std::lock_guard lock(g_mutex);
  switch (type) {
    case 1:  // NVML_CLOCK_SM, idle unless scripted
      *mhz = g_samples[Index(device)].sm_clock_mhz;
      return 0;
    case 2:  // NVML_CLOCK_MEM
      *mhz = g_samples[Index(device)].memory_clock_mhz;
      return 0;
    default:
      return 2;
  }
}

int nvmlDeviceGetMaxClockInfo(void* /*device*/, int type, unsigned int* mhz) {
  if (const int code = Outcome("nvmlDeviceGetMaxClockInfo"); code != 0) return code;
  switch (type) {
    case 1:
      *mhz = 1980;
      return 0;
    case 2:
      *mhz = 2619;
      return 0;
    default:
      return 2;
  }
}

int nvmlDeviceGetEccMode(void* /*device*/, int* current, int* pending) {
  if (const int code = Outcome("nvmlDeviceGetEccMode"); code != 0) return code;
  *current = 1;
  *pending = 1;
  return 0;
}

// The telemetry sampler's reads ----------------------------------------------------------------
int nvmlDeviceGetTemperature(void* device, int sensor, unsigned int* celsius) {
  if (const int code = Outcome("nvmlDeviceGetTemperature"); code != 0) return code;
  if (sensor != 0) return 2;  // only NVML_TEMPERATURE_GPU
  const std::lock_guard lock(g_mutex);
  *celsius = g_samples[Index(device)].temperature_c;
  return 0;
}

struct Utilization {
  unsigned int gpu;
  unsigned int memory;
};

int nvmlDeviceGetUtilizationRates(void* device, Utilization* utilization) {
  if (const int code = Outcome("nvmlDeviceGetUtilizationRates"); code != 0) return code;
  const std::lock_guard lock(g_mutex);
  utilization->gpu = g_samples[Index(device)].gpu_util;
  utilization->memory = g_samples[Index(device)].memory_util;
  return 0;
}

#ifndef LEPTON_FAKE_NVML_OLD_DRIVER
int nvmlDeviceGetCurrentClocksEventReasons(void* device, U64* reasons) {
  if (const int code = Outcome("nvmlDeviceGetCurrentClocksEventReasons"); code != 0) return code;
  const std::lock_guard lock(g_mutex);
  *reasons = g_samples[Index(device)].clocks_event_reasons;
  return 0;
}

int nvmlDeviceGetPcieThroughput(void* device, int counter, unsigned int* kilobytes) {
  if (const int code = Outcome("nvmlDeviceGetPcieThroughput"); code != 0) return code;
  const std::lock_guard lock(g_mutex);
  switch (counter) {
    case 0:  // NVML_PCIE_UTIL_TX_BYTES
      *kilobytes = g_samples[Index(device)].pcie_tx_kbps;
      return 0;
    case 1:  // NVML_PCIE_UTIL_RX_BYTES
      *kilobytes = g_samples[Index(device)].pcie_rx_kbps;
      return 0;
    default:
      return 2;
  }
}
#else
int nvmlDeviceGetCurrentClocksThrottleReasons(void* device, U64* reasons) {
  if (const int code = Outcome("nvmlDeviceGetCurrentClocksThrottleReasons"); code != 0) return code;
  const std::lock_guard lock(g_mutex);
  *reasons = g_samples[Index(device)].clocks_event_reasons;
  return 0;
}
#endif  // LEPTON_FAKE_NVML_OLD_DRIVER

int nvmlDeviceGetTotalEccErrors(void* device, int error_type, int counter_type, U64* count) {
  if (const int code = Outcome("nvmlDeviceGetTotalEccErrors"); code != 0) return code;
  if (counter_type != 0 && counter_type != 1) return 2;
  const std::lock_guard lock(g_mutex);
  switch (error_type) {
    case 0:  // NVML_MEMORY_ERROR_TYPE_CORRECTED
      *count = g_samples[Index(device)].ecc_corrected;
      return 0;
    case 1:  // NVML_MEMORY_ERROR_TYPE_UNCORRECTED
      *count = g_samples[Index(device)].ecc_uncorrected;
      return 0;
    default:
      return 2;
  }
}

}  // extern "C"
