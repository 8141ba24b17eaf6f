#include "conformance/checks/cuda_libraries_probe.h"

#include <dlfcn.h>

namespace lepton::checks {
namespace {

// By their stable C ABIs: cudaError_t, cublasStatus_t and ncclResult_t are int enums;
// libraryPropertyType is MAJOR_VERSION 0, MINOR_VERSION 1, PATCH_LEVEL 2.
using CudaRuntimeGetVersion = int (*)(int*);
using CublasGetProperty = int (*)(int, int*);
using NcclGetVersion = int (*)(int*);

struct Loaded {
  void* handle = nullptr;
  std::string path;
  std::string errors;
};

// Libraries stay loaded: they are what a later GPU workload would use anyway.
Loaded LoadFirst(const std::vector<std::string>& names) {
  Loaded loaded;
  for (const std::string& name : names) {
    if (void* handle = ::dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL)) {
      loaded.handle = handle;
      loaded.path = name;
      return loaded;
    }
    const char* error = ::dlerror();
    loaded.errors += (loaded.errors.empty() ? "" : "; ") + std::string(error ? error : name);
  }
  return loaded;
}

template <typename Fn>
Fn Symbol(void* library, const char* name) {
  return reinterpret_cast<Fn>(::dlsym(library, name));
}

// 13000 -> "13.0" (CUDA encodes major * 1000 + minor * 10).
std::string CudaVersionText(int version) {
  return std::to_string(version / 1000) + "." + std::to_string(version % 1000 / 10);
}

LibraryVersion ProbeRuntime(const std::vector<std::string>& names) {
  LibraryVersion result;
  const Loaded loaded = LoadFirst(names);
  if (loaded.handle == nullptr) {
    result.unavailable_reason = "CUDA runtime not loadable: " + loaded.errors;
    return result;
  }
  result.path = loaded.path;
  const auto get = Symbol<CudaRuntimeGetVersion>(loaded.handle, "cudaRuntimeGetVersion");
  int version = 0;
  if (get == nullptr) {
    result.unavailable_reason = loaded.path + " has no cudaRuntimeGetVersion";
  } else if (const int error = get(&version); error != 0 || version <= 0) {
    result.unavailable_reason =
        "cudaRuntimeGetVersion failed with cudaError " + std::to_string(error);
  } else {
    result.version = CudaVersionText(version);
  }
  return result;
}

LibraryVersion ProbeCublas(const std::vector<std::string>& names) {
  LibraryVersion result;
  const Loaded loaded = LoadFirst(names);
  if (loaded.handle == nullptr) {
    result.unavailable_reason = "cuBLAS not loadable: " + loaded.errors;
    return result;
  }
  result.path = loaded.path;
  const auto get = Symbol<CublasGetProperty>(loaded.handle, "cublasGetProperty");
  int parts[3] = {0, 0, 0};
  for (int property = 0; get != nullptr && property < 3; ++property) {
    if (const int status = get(property, &parts[property]); status != 0) {
      result.unavailable_reason = "cublasGetProperty failed with status " + std::to_string(status);
      return result;
    }
  }
  if (get == nullptr) {
    result.unavailable_reason = loaded.path + " has no cublasGetProperty";
  } else {
    result.version =
        std::to_string(parts[0]) + "." + std::to_string(parts[1]) + "." + std::to_string(parts[2]);
  }
  return result;
}

LibraryVersion ProbeNccl(const std::vector<std::string>& names) {
  LibraryVersion result;
  const Loaded loaded = LoadFirst(names);
  if (loaded.handle == nullptr) {
    result.unavailable_reason = "NCCL not loadable: " + loaded.errors;
    return result;
  }
  result.path = loaded.path;
  const auto get = Symbol<NcclGetVersion>(loaded.handle, "ncclGetVersion");
  int code = 0;
  if (get == nullptr) {
    result.unavailable_reason = loaded.path + " has no ncclGetVersion";
  } else if (const int error = get(&code); error != 0 || code <= 0) {
    result.unavailable_reason = "ncclGetVersion failed with ncclResult " + std::to_string(error);
  } else {
    // NCCL >= 2.9 encodes major * 10000 + minor * 100 + patch.
    result.version = std::to_string(code / 10000) + "." + std::to_string(code % 10000 / 100) + "." +
                     std::to_string(code % 100);
  }
  return result;
}

}  // namespace

CudaLibraries ProbeCudaLibraries(const CudaLibraryNames& names) {
  return CudaLibraries{ProbeRuntime(names.runtime), ProbeCublas(names.cublas),
                       ProbeNccl(names.nccl)};
}

}  // namespace lepton::checks
