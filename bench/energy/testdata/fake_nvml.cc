// A stand-in for libnvidia-ml.so.1 exporting the NVML functions the energy meter uses, by the
// same C ABI, so nvml_meter_test.cc exercises the meter's real dlopen path. Every GPU draws a
// constant power (fake_nvml_set_power_mw) and its energy counter advances with the steady clock
// at that power, so a window's energy is known. Exported fake_nvml_* functions script failures.

#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <string>

namespace {

using Millijoules = unsigned long long;  // NOLINT(google-runtime-int): NVML's ABI type

struct FakeGpu {
  int id;
};

std::mutex g_mutex;
unsigned int g_device_count = 1;
unsigned int g_power_mw = 250000;
std::map<std::string, int> g_failures;  // function name -> the code it returns
std::map<std::string, int> g_calls;
FakeGpu g_gpus[8] = {{0}, {1}, {2}, {3}, {4}, {5}, {6}, {7}};
const auto g_loaded = std::chrono::steady_clock::now();

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

int nvmlDeviceGetTotalEnergyConsumption(void* /*device*/, Millijoules* millijoules) {
  if (const int code = Outcome("nvmlDeviceGetTotalEnergyConsumption"); code != 0) return code;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - g_loaded).count();
  const std::lock_guard lock(g_mutex);
  // Starts far from zero, as a counter since the driver loaded does.
  *millijoules = 5'000'000ULL + static_cast<Millijoules>(seconds * g_power_mw);
  return 0;
}

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
    case 3:
      return "Not Supported";
    case 4:
      return "Insufficient Permissions";
    case 9:
      return "Driver Not Loaded";
    case 15:
      return "GPU is lost";
    default:
      return "Unknown Error";
  }
}

int nvmlSystemGetDriverVersion(char* version, unsigned int length) {
  const char* text = "999.99-fake";
  const std::size_t bytes = std::strlen(text) + 1;
  if (length < bytes) return 7;  // NVML_ERROR_INSUFFICIENT_SIZE
  std::memcpy(version, text, bytes);
  return 0;
}

}  // extern "C"
