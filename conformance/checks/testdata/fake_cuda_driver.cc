// A stand-in for libcuda.so.1 with the driver API entry points the probe uses, so the probe's
// dlopen path is tested where no GPU exists. Tests steer it through fake_cuda_configure().
// extern "C" with the driver's C ABI; CUresult 0 is CUDA_SUCCESS, 100 CUDA_ERROR_NO_DEVICE.

#include <cstddef>
#include <cstring>

namespace {

int g_init_result = 0;
int g_devices = 2;
int g_failing_attribute = -1;

}  // namespace

extern "C" {

void fake_cuda_configure(int init_result, int devices, int failing_attribute) {
  g_init_result = init_result;
  g_devices = devices;
  g_failing_attribute = failing_attribute;
}

int cuInit(unsigned int /*flags*/) { return g_init_result; }

int cuDriverGetVersion(int* version) {
  *version = 13000;
  return 0;
}

int cuDeviceGetCount(int* count) {
  *count = g_init_result == 0 ? g_devices : 0;
  return g_init_result;
}

int cuDeviceGet(int* device, int ordinal) {
  if (ordinal < 0 || ordinal >= g_devices) return 101;  // CUDA_ERROR_INVALID_DEVICE
  *device = ordinal;
  return 0;
}

int cuDeviceGetName(char* name, int length, int device) {
  const char* text = device == 0 ? "Fake H100 80GB HBM3" : "Fake H100 <b>\"quoted\"</b>";
  std::strncpy(name, text, static_cast<std::size_t>(length) - 1);
  name[length - 1] = '\0';
  return 0;
}

int cuDeviceGetPCIBusId(char* id, int length, int device) {
  const char* text = device == 0 ? "0000:1B:00.0" : "0000:2C:00.0";
  std::strncpy(id, text, static_cast<std::size_t>(length) - 1);
  id[length - 1] = '\0';
  return 0;
}

int cuDeviceTotalMem_v2(std::size_t* bytes, int /*device*/) {
  *bytes = std::size_t{80} << 30;
  return 0;
}

int cuDeviceGetAttribute(int* value, int attribute, int /*device*/) {
  if (attribute == g_failing_attribute) return 1;  // CUDA_ERROR_INVALID_VALUE
  switch (attribute) {
    case 13:
      *value = 1980000;
      return 0;  // clock, kHz
    case 16:
      *value = 132;
      return 0;  // multiprocessors
    case 32:
      *value = 1;
      return 0;  // ECC enabled
    case 36:
      *value = 2619000;
      return 0;  // memory clock, kHz
    case 37:
      *value = 5120;
      return 0;  // memory bus bits
    case 75:
      *value = 9;
      return 0;  // compute capability major
    case 76:
      *value = 0;
      return 0;  // minor
    default:
      return 1;
  }
}

}  // extern "C"
