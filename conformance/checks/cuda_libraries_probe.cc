#include "conformance/checks/cuda_libraries_probe.h"

#include <dlfcn.h>

namespace lepton::checks {
namespace {

// By their stable C ABIs: cudaError_t, cublasStatus_t and ncclResult_t are int enums;
// libraryPropertyType is MAJOR_VERSION 0, MINOR_VERSION 1, PATCH_LEVEL 2.
using CudaRuntimeGetVersion = int (*)(int*);
using CublasGetProperty = int (*)(int, int*);
using NcclGetVersion = int (*)(int*);

// The version text, or why there is none.
struct VersionReading {
  std::string version;
  std::string failure;
};

// Loads the first of `names` that opens (libraries stay loaded: a later GPU workload would use
// them anyway), finds `symbol` and lets `read` call it; every way to fail is the reason.
template <typename Fn, typename Read>
LibraryVersion ProbeLibrary(const std::vector<std::string>& names, const std::string& what,
                            const char* symbol, Read read) {
  LibraryVersion result;
  std::string errors;
  void* handle = nullptr;
  for (const std::string& name : names) {
    handle = ::dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle != nullptr) {
      result.path = name;
      break;
    }
    const char* error = ::dlerror();
    errors += (errors.empty() ? "" : "; ") + std::string(error ? error : name);
  }
  if (handle == nullptr) {
    result.unavailable_reason = what + " not loadable: " + errors;
    return result;
  }
  const auto function = reinterpret_cast<Fn>(::dlsym(handle, symbol));
  if (function == nullptr) {
    result.unavailable_reason = result.path + " has no " + symbol;
    return result;
  }
  const VersionReading reading = read(function);
  result.version = reading.version;
  result.unavailable_reason = reading.failure;
  return result;
}

VersionReading ReadRuntimeVersion(CudaRuntimeGetVersion get) {
  int version = 0;
  if (const int error = get(&version); error != 0 || version <= 0) {
    return {"", "cudaRuntimeGetVersion failed with cudaError " + std::to_string(error)};
  }
  // 13000 -> "13.0" (CUDA encodes major * 1000 + minor * 10).
  return {std::to_string(version / 1000) + "." + std::to_string(version % 1000 / 10), ""};
}

VersionReading ReadCublasVersion(CublasGetProperty get) {
  int parts[3] = {0, 0, 0};
  for (int property = 0; property < 3; ++property) {
    if (const int status = get(property, &parts[property]); status != 0) {
      return {"", "cublasGetProperty failed with status " + std::to_string(status)};
    }
  }
  return {
      std::to_string(parts[0]) + "." + std::to_string(parts[1]) + "." + std::to_string(parts[2]),
      ""};
}

VersionReading ReadNcclVersion(NcclGetVersion get) {
  int code = 0;
  if (const int error = get(&code); error != 0 || code <= 0) {
    return {"", "ncclGetVersion failed with ncclResult " + std::to_string(error)};
  }
  // NCCL >= 2.9 encodes major * 10000 + minor * 100 + patch.
  return {std::to_string(code / 10000) + "." + std::to_string(code % 10000 / 100) + "." +
              std::to_string(code % 100),
          ""};
}

}  // namespace

CudaLibraries ProbeCudaLibraries(const CudaLibraryNames& names) {
  return CudaLibraries{
      ProbeLibrary<CudaRuntimeGetVersion>(names.runtime, "CUDA runtime", "cudaRuntimeGetVersion",
                                          ReadRuntimeVersion),
      ProbeLibrary<CublasGetProperty>(names.cublas, "cuBLAS", "cublasGetProperty",
                                      ReadCublasVersion),
      ProbeLibrary<NcclGetVersion>(names.nccl, "NCCL", "ncclGetVersion", ReadNcclVersion)};
}

}  // namespace lepton::checks
