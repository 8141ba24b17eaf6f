#include "conformance/checks/cuda_driver_probe.h"

#include <dlfcn.h>

#include <string>

namespace lepton::checks {
namespace {

// The three driver API entry points used, by their stable C ABI (CUresult is an int enum).
using CuInit = int (*)(unsigned int);
using CuDriverGetVersion = int (*)(int*);
using CuDeviceGetCount = int (*)(int*);

template <typename Fn>
Fn Symbol(void* library, const char* name) {
  return reinterpret_cast<Fn>(::dlsym(library, name));
}

}  // namespace

GpuProbe ProbeCudaDriver() {
  GpuProbe probe;
  void* library = ::dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    const char* error = ::dlerror();
    probe.unavailable_reason =
        std::string("CUDA driver library not loadable: ") + (error ? error : "libcuda.so.1");
    return probe;
  }
  const auto init = Symbol<CuInit>(library, "cuInit");
  const auto driver_version = Symbol<CuDriverGetVersion>(library, "cuDriverGetVersion");
  const auto device_count = Symbol<CuDeviceGetCount>(library, "cuDeviceGetCount");
  if (init == nullptr || driver_version == nullptr || device_count == nullptr) {
    probe.unavailable_reason = "libcuda.so.1 lacks cuInit/cuDriverGetVersion/cuDeviceGetCount";
    ::dlclose(library);
    return probe;
  }
  int version = 0;
  if (driver_version(&version) == 0 && version > 0) {
    probe.driver_version =
        std::to_string(version / 1000) + "." + std::to_string(version % 1000 / 10);
  }
  if (const int result = init(0); result != 0) {
    probe.unavailable_reason = "cuInit failed with CUresult " + std::to_string(result);
  } else if (int count = 0; device_count(&count) == 0) {
    probe.count = count;
    if (count == 0) probe.unavailable_reason = "the CUDA driver reports no devices";
  } else {
    probe.unavailable_reason = "cuDeviceGetCount failed";
  }
  // The driver stays loaded: unloading libcuda after cuInit is not supported.
  return probe;
}

}  // namespace lepton::checks
