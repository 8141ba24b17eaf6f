#pragma once
// The node's NCCL (libnccl.so.2) opened with dlopen the first time a communicator is asked for:
// the module itself does not need it to load, so a GPU node without NCCL still runs the
// one-GPU workloads and reports the collectives not measured with dlopen's words. nccl.h gives
// the types; every call goes through this table. The only code besides nccl_communicator.cc
// that includes nccl.h.

#include <nccl.h>

#include <string>

#include "conformance/core/status.h"

namespace lepton::bench::cuda {

struct NcclLibrary {
  std::string path;  // as dlopen found it
  int version = 0;   // ncclGetVersion: 22809 for 2.28.9
  decltype(&ncclGetVersion) GetVersion = nullptr;
  decltype(&ncclGetErrorString) GetErrorString = nullptr;
  decltype(&ncclGetLastError) GetLastError = nullptr;
  decltype(&ncclGetUniqueId) GetUniqueId = nullptr;
  decltype(&ncclCommInitRank) CommInitRank = nullptr;
  decltype(&ncclCommInitAll) CommInitAll = nullptr;
  // Null before NCCL 2.14 (the only optional entry): then communicators are destroyed without
  // finalizing them first.
  decltype(&ncclCommFinalize) CommFinalize = nullptr;
  decltype(&ncclCommDestroy) CommDestroy = nullptr;
  decltype(&ncclCommAbort) CommAbort = nullptr;
  decltype(&ncclCommGetAsyncError) CommGetAsyncError = nullptr;
  decltype(&ncclAllReduce) AllReduce = nullptr;
  decltype(&ncclAllGather) AllGather = nullptr;
  decltype(&ncclReduceScatter) ReduceScatter = nullptr;
  decltype(&ncclBroadcast) Broadcast = nullptr;
  decltype(&ncclReduce) Reduce = nullptr;
  decltype(&ncclSend) Send = nullptr;
  decltype(&ncclRecv) Recv = nullptr;
  decltype(&ncclGroupStart) GroupStart = nullptr;
  decltype(&ncclGroupEnd) GroupEnd = nullptr;
};

// Opened once per process and never closed. Unavailable naming each name tried and dlopen's or
// dlsym's reason; NCCL older than 2.13 (no ncclGetLastError) is refused.
Result<const NcclLibrary*> LoadNcclLibrary();

}  // namespace lepton::bench::cuda
