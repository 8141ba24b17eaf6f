#include <dlfcn.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "bench/backends/cuda_backend.h"

namespace lepton::bench {
namespace {

#ifdef LEPTON_CUDA_MODULE_BUILD_PATH
std::vector<std::filesystem::path> ModuleCandidates() {
  std::vector<std::filesystem::path> candidates;
  std::error_code error;
  const std::filesystem::path program = std::filesystem::read_symlink("/proc/self/exe", error);
  if (!error) {
    candidates.push_back(program.parent_path().parent_path() / "lib" / "liblepton_cuda.so");
  }
  candidates.emplace_back(LEPTON_CUDA_MODULE_BUILD_PATH);
  return candidates;
}

Result<CudaBackend*> LoadOnce() {
  std::string tried;
  for (const std::filesystem::path& path : ModuleCandidates()) {
    if (!std::filesystem::exists(path)) {
      tried += "\n  " + path.string() + ": no such file";
      continue;
    }
    // RTLD_LOCAL: the module's static CUDA runtime and copies of project code stay its own.
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      tried += "\n  " + path.string() + ": " + dlerror();
      continue;
    }
    auto entry = reinterpret_cast<CudaBackendEntryPoint>(dlsym(handle, kCudaBackendEntryPointName));
    if (entry == nullptr) {
      tried += "\n  " + path.string() + ": no symbol " + kCudaBackendEntryPointName;
      continue;
    }
    if (CudaBackend* backend = entry(kCudaBackendAbiVersion); backend != nullptr) return backend;
    tried += "\n  " + path.string() + ": built for another interface version than " +
             std::to_string(kCudaBackendAbiVersion) + " (a module from another build)";
  }
  return std::unexpected(UnavailableError(
      "the CUDA backend module could not be loaded (the GPU node needs libcublas.so.13 of "
      "CUDA 13 on the loader's path, e.g. LD_LIBRARY_PATH=/usr/local/cuda/lib64):" +
      tried));
}
#else
Result<CudaBackend*> LoadOnce() {
  return std::unexpected(UnavailableError(
      "this build of lepton-cert has no CUDA backend (configured without nvcc or with "
      "LEPTON_CUDA=OFF)"));
}
#endif

// Whether LoadCudaBackend was called (the module may then be loaded).
std::atomic<bool>& LoadAttempted() {
  static std::atomic<bool> attempted{false};
  return attempted;
}

}  // namespace

Result<CudaBackend*> LoadCudaBackend() {
  static std::once_flag once;
  static Result<CudaBackend*> loaded = std::unexpected(InternalError("not loaded"));
  std::call_once(once, [] {
    loaded = LoadOnce();
    LoadAttempted().store(true);
  });
  return loaded;
}

std::vector<std::string> HungCudaDevices() {
  if (!LoadAttempted().load()) return {};
  const Result<CudaBackend*> backend = LoadCudaBackend();
  return backend ? (*backend)->HungDevices() : std::vector<std::string>{};
}

}  // namespace lepton::bench
