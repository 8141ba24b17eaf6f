#include "tools/certify/device_collectives.h"

#include <fmt/format.h>

#include <string>
#include <vector>

#include "bench/comm/string_gather.h"

namespace lepton::certify {
namespace {

constexpr std::size_t kMaxReasonBytes = 400;

}  // namespace

DeviceComm DeviceCommOf(const spec::Profile& profile) {
  if (profile.devices != "cuda") return DeviceComm::kNone;
  if (profile.comm == "nccl") return DeviceComm::kNccl;
  if (profile.comm == "nccl-local") return DeviceComm::kNcclLocal;
  return DeviceComm::kNone;
}

DeviceCollectives OpenDeviceCollectives(const Result<bench::CudaBackend*>& backend,
                                        bench::Communicator& world, const Result<int>& device,
                                        double timeout_seconds) {
  DeviceCollectives opened;
  Status local = backend ? OkStatus() : backend.error();
  if (local.ok() && !device) local = device.error();
  if (local.ok()) {
    auto memory = (*backend)->MakeDeviceMemory(*device);
    local = memory ? OkStatus() : memory.error();
    if (local.ok()) opened.memory = std::move(*memory);
  }
  auto reasons = bench::AllGatherStrings(world, local.ok() ? std::string() : local.ToString(),
                                         kMaxReasonBytes);
  if (!reasons) {
    opened.memory.reset();
    opened.status = reasons.error().WithContext("agreeing on the CUDA set-up over " +
                                                std::string(world.name()));
    return opened;
  }
  std::string failed;
  bool all_unavailable = true;
  bool all_same = true;
  for (std::size_t r = 0; r < reasons->size(); ++r) {
    all_same = all_same && (*reasons)[r] == reasons->front();
    if ((*reasons)[r].empty()) continue;
    failed += (failed.empty() ? "" : "; ") + ("rank " + std::to_string(r) + ": ") + (*reasons)[r];
    all_unavailable = all_unavailable && (*reasons)[r].starts_with("UNAVAILABLE");
  }
  if (!failed.empty()) {
    opened.memory.reset();
    // Alone, or when every rank says the same, the reason keeps its code and words; otherwise
    // each failing rank's is named.
    if (all_same && !local.ok()) {
      opened.status = world.size() == 1 ? local : local.WithContext("on every rank");
    } else {
      const std::string message = "the CUDA backend is not usable on every rank (" + failed + ")";
      opened.status = all_unavailable ? UnavailableError(message) : InternalError(message);
    }
    return opened;
  }
  auto communicator = (*backend)->MakeNcclCommunicator(world, *device, timeout_seconds);
  if (!communicator) {
    opened.memory.reset();
    opened.status = communicator.error();
    return opened;
  }
  opened.communicator = std::move(*communicator);
  return opened;
}

DeviceCollectives OpenLocalGroup(const Result<bench::CudaBackend*>& backend,
                                 double timeout_seconds) {
  DeviceCollectives opened;
  if (!backend) {
    opened.status = backend.error();
    return opened;
  }
  auto group = (*backend)->MakeNcclLocalGroup({}, timeout_seconds);
  if (!group) {
    opened.status = group.error();
    return opened;
  }
  opened.group = std::move(*group);
  return opened;
}

std::string CommunicatorsDescription(const bench::Communicator& world,
                                     const DeviceCollectives& device) {
  if (device.communicator) {
    return fmt::format("{}, {} over {}", world.name(), device.communicator->name(),
                       device.memory->description());
  }
  if (device.group) {
    return fmt::format("{}, {} over {} GPU(s)", world.name(), device.group->name(),
                       device.group->size());
  }
  return std::string(world.name());
}

Result<int> CollectiveRanksFact(const spec::Profile& profile, int processes, int gpus) {
  if (profile.comm != "nccl-local") return processes;
  if (processes > 1) {
    return std::unexpected(FailedPreconditionError(
        "profile '" + profile.name +
        "' (comm: nccl-local) drives every local GPU from one process (ncclCommInitAll), but "
        "this run was launched as " +
        std::to_string(processes) +
        " processes: start it alone, without mpirun or srun (or use a comm: nccl profile, one "
        "process per GPU, under the launcher)"));
  }
  return gpus;
}

}  // namespace lepton::certify
