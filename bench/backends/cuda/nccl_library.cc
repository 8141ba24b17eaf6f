#include "bench/backends/cuda/nccl_library.h"

#include <dlfcn.h>

#include <mutex>

namespace lepton::bench::cuda {
namespace {

// 2.13: the first with ncclGetLastError (the detail behind an error code); the rest is older.
constexpr int kMinimumVersion = 21300;

template <typename Function>
bool Resolve(void* handle, const char* name, Function& function, std::string& missing) {
  function = reinterpret_cast<Function>(dlsym(handle, name));
  if (function == nullptr) missing += std::string(missing.empty() ? "" : ", ") + name;
  return function != nullptr;
}

Result<NcclLibrary> Open() {
  std::string tried;
  void* handle = nullptr;
  std::string path;
  for (const char* name : {"libnccl.so.2", "libnccl.so"}) {
    handle = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (handle != nullptr) {
      path = name;
      break;
    }
    const char* reason = dlerror();
    tried += std::string("\n  ") + name + ": " + (reason != nullptr ? reason : "not found");
  }
  if (handle == nullptr) {
    return std::unexpected(UnavailableError(
        "NCCL could not be loaded (the node needs libnccl.so.2 of NCCL 2.13 or later for CUDA 13 "
        "on the loader's path, e.g. LD_LIBRARY_PATH=/usr/local/cuda/lib64):" +
        tried));
  }
  NcclLibrary library;
  library.path = path;
  std::string missing;
  Resolve(handle, "ncclGetVersion", library.GetVersion, missing);
  Resolve(handle, "ncclGetErrorString", library.GetErrorString, missing);
  Resolve(handle, "ncclGetLastError", library.GetLastError, missing);
  Resolve(handle, "ncclGetUniqueId", library.GetUniqueId, missing);
  Resolve(handle, "ncclCommInitRank", library.CommInitRank, missing);
  Resolve(handle, "ncclCommInitAll", library.CommInitAll, missing);
  Resolve(handle, "ncclCommDestroy", library.CommDestroy, missing);
  Resolve(handle, "ncclCommAbort", library.CommAbort, missing);
  Resolve(handle, "ncclCommGetAsyncError", library.CommGetAsyncError, missing);
  Resolve(handle, "ncclAllReduce", library.AllReduce, missing);
  Resolve(handle, "ncclAllGather", library.AllGather, missing);
  Resolve(handle, "ncclReduceScatter", library.ReduceScatter, missing);
  Resolve(handle, "ncclBroadcast", library.Broadcast, missing);
  Resolve(handle, "ncclReduce", library.Reduce, missing);
  Resolve(handle, "ncclSend", library.Send, missing);
  Resolve(handle, "ncclRecv", library.Recv, missing);
  Resolve(handle, "ncclGroupStart", library.GroupStart, missing);
  Resolve(handle, "ncclGroupEnd", library.GroupEnd, missing);
  std::string optional;
  Resolve(handle, "ncclCommFinalize", library.CommFinalize, optional);
  if (!missing.empty()) {
    dlclose(handle);
    return std::unexpected(
        UnavailableError(path + " lacks NCCL functions this build needs: " + missing));
  }
  if (library.GetVersion(&library.version) != ncclSuccess || library.version < kMinimumVersion) {
    dlclose(handle);
    return std::unexpected(UnavailableError(path + " is NCCL " + std::to_string(library.version) +
                                            "; this build needs " +
                                            std::to_string(kMinimumVersion) + " or later"));
  }
  return library;
}

}  // namespace

Result<const NcclLibrary*> LoadNcclLibrary() {
  static std::once_flag once;
  static Result<NcclLibrary> loaded = std::unexpected(InternalError("not loaded"));
  std::call_once(once, [] { loaded = Open(); });
  if (!loaded) return std::unexpected(loaded.error());
  return &*loaded;
}

}  // namespace lepton::bench::cuda
